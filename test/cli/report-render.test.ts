import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { runCli, fixture, tempDir } from './run-cli.ts'
import { decodePng } from '../png.ts'

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium'
const run = promisify(execFile)

const flags = (profile: string): string[] => ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`]

/** Pixels within `tol` of an RGB colour. */
function countNear (px: Uint8Array, channels: number, rgb: [number, number, number], tol = 40): number {
  let n = 0
  for (let i = 0; i < px.length; i += channels) {
    if (Math.abs((px[i] as number) - rgb[0]) + Math.abs((px[i + 1] as number) - rgb[1]) + Math.abs((px[i + 2] as number) - rgb[2]) <= tol) n++
  }
  return n
}

test('eval --report renders in headless Chromium: plots drawn, in their colours', { skip: existsSync(chromium) ? false : `${chromium} missing (apt-get install -y chromium)`, timeout: 120_000 }, async (t) => {
  const dir = tempDir(t)
  const scored = join(dir, 'scored.jsonl')
  const report = join(dir, 'report.html')
  assert.equal((await runCli(['score', '--in', fixture('good.jsonl'), '--out', scored])).code, 0)
  assert.equal((await runCli(['eval', '--in', scored, '--report', report])).code, 0)

  const png = join(dir, 'shot.png')
  await run(chromium, [...flags(join(dir, 'profile-1')), `--screenshot=${png}`, '--window-size=1200,1600', `file://${report}`], { timeout: 60_000 })
  const img = decodePng(readFileSync(png))
  assert.equal(img.width, 1200)
  assert.equal(img.height, 1600)
  const { pixels, channels } = img
  const total = pixels.length / channels
  const background = countNear(pixels, channels, [250, 250, 250], 6) + countNear(pixels, channels, [255, 255, 255], 0)
  assert.ok(total - background > total * 0.04, `only ${total - background} of ${total} pixels differ from the background`)
  const colours = new Set<number>()
  for (let i = 0; i < pixels.length; i += channels) colours.add(((pixels[i] as number) >> 4) << 8 | ((pixels[i + 1] as number) >> 4) << 4 | ((pixels[i + 2] as number) >> 4))
  assert.ok(colours.size >= 32, `only ${colours.size} distinct colours`)
  // each plot's own colour is on screen: pass@k line, maj@k line, category bars, histogram bars
  for (const [name, rgb] of [['pass@k', [0x1f, 0x77, 0xb4]], ['maj@k', [0xff, 0x7f, 0x0e]], ['categories', [0x2c, 0xa0, 0x2c]], ['histogram', [0x94, 0x67, 0xbd]]] as const) {
    const n = countNear(pixels, channels, [...rgb])
    assert.ok(n > 200, `${name}: ${n} pixels of its colour`)
  }

  const { stdout: dom } = await run(chromium, [...flags(join(dir, 'profile-2')), '--dump-dom', `file://${report}`], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 })
  assert.match(dom, /<svg id="plot-k"/)
  assert.match(dom, /<polyline class="line pass"[^>]* points="[\d., ]+"/)
  assert.match(dom, /<polyline class="line maj"/)
  assert.equal(dom.match(/<circle class="point pass"/g)?.length, 4) // k = 1, 2, 4, 5
  assert.equal(dom.match(/<circle class="point maj"/g)?.length, 4)
  assert.equal((dom.match(/<svg id="plot-categories"[\s\S]*?<\/svg>/)?.[0].match(/class="bar"/g) ?? []).length, 4)
  assert.equal((dom.match(/<svg id="plot-rewards"[\s\S]*?<\/svg>/)?.[0].match(/class="bar"/g) ?? []).length, 20)
})

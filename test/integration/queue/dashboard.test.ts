/**
 * GET /admin/queues in headless Chromium (Debian's chromium; no browser download): the rendered DOM names
 * the queue and the board, and the screenshot is a real page (size, colour variety). A blank page fails the
 * same checks, so the test can fail. Chromium resolves nothing but 127.0.0.1.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { REDIS_URL, cleanupPrefix, mathRollout, post, startProcess, uniquePrefix } from './helpers.ts'
import { decodePng, colourStats } from '../../png.ts'

const run = promisify(execFile)
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'

async function chromium (args: string[]): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'rwd-chromium-'))
  try {
    const { stdout } = await run(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', '--virtual-time-budget=8000', ...args], { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 })
    return stdout
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}

function looksLikeAPage (png: Buffer): { ok: boolean, why: string } {
  const stats = colourStats(decodePng(png))
  const why = `${png.length} bytes, ${stats.distinct} colours, dominant ${(stats.dominantShare * 100).toFixed(1)}%`
  return { ok: png.length > 10_000 && stats.distinct >= 50 && stats.dominantShare < 0.9, why }
}

test('the queue dashboard renders in headless Chromium with the rollout queue', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} missing (npm run setup installs it)` }, async (t) => {
  const prefix = uniquePrefix('dash')
  cleanupPrefix(t, prefix)
  const api = await startProcess('server', { REDIS_URL, QUEUE_PREFIX: prefix })
  t.after(async () => { await api.stop() })
  assert.equal((await post(`${api.url}/v1/rollouts`, mathRollout('dash-1', 2))).status, 202)
  await fetch(`${api.url}/v1/rollouts/dash-1?wait=20000`)
  const url = `${api.url}/admin/queues`

  const dom = await chromium(['--dump-dom', url])
  assert.match(dom, /<title>reward-verifier<\/title>/)
  assert.match(dom, />rollouts</, 'the rendered page names the rollout queue')
  assert.match(dom, /1 Job/, 'and shows its completed job')

  const dir = mkdtempSync(join(tmpdir(), 'rwd-shot-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const shot = join(dir, 'dashboard.png')
  await chromium(['--window-size=1280,800', `--screenshot=${shot}`, url])
  const verdict = looksLikeAPage(readFileSync(shot))
  assert.ok(verdict.ok, `the dashboard screenshot looks empty: ${verdict.why}`)

  // the same check on a blank page fails: it can tell a rendered dashboard from nothing
  const blank = join(dir, 'blank.png')
  await chromium(['--window-size=1280,800', `--screenshot=${blank}`, 'data:text/html,<html><body style="background:#fff"></body></html>'])
  assert.equal(looksLikeAPage(readFileSync(blank)).ok, false)
})

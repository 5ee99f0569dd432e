/**
 * Code-reward bench: the 164 HumanEval canonical programs scored through the code verifier (warm bubblewrap
 * jails) against the same programs as bare `/usr/bin/python3 -S -I -B` processes, same concurrency, measured
 * side by side in this run (rounds alternate); and JavaScript (HumanEval-X, bench/code-js.ts).
 * Standalone: node --import tsx bench/code.ts [rounds]   ·   from bench/index.ts: benchCode()
 * The bare baseline runs the dataset's canonical solutions (not model output) outside any sandbox.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCodeVerifier } from '../src/rewards/code/verifier.ts'
import type { CodeVerifier } from '../src/rewards/code/api.ts'
import { startService } from './lib.ts'
import { corpusAvailable, humaneval, type CorpusItem } from '../test/sandbox/corpus.ts'
import { benchJavascript } from './code-js.ts'

const FLAGS = ['-S', '-I', '-B']

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)] ?? NaN
}

async function pool<T> (items: T[], concurrency: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++] as T)
  }))
}

function runBare (file: string): Promise<number> {
  return new Promise(resolve => {
    const p = spawn('/usr/bin/python3', [...FLAGS, file], { env: {}, stdio: 'ignore' })
    p.on('exit', code => resolve(code ?? 1))
    p.on('error', () => resolve(1))
  })
}

async function bareRound (files: string[], concurrency: number): Promise<{ ms: number, passed: number }> {
  let passed = 0
  const t0 = performance.now()
  await pool(files, concurrency, async f => { if (await runBare(f) === 0) passed++ })
  return { ms: performance.now() - t0, passed }
}

/** The same programs POSTed to the running service's /v1/verify/code, `concurrency` requests in flight. */
async function httpRound (url: string, items: CorpusItem[], concurrency: number): Promise<{ ms: number, passed: number }> {
  let passed = 0
  const t0 = performance.now()
  await pool(items, concurrency, async it => {
    const res = await fetch(`${url}/v1/verify/code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(it.input) })
    const r = await res.json() as { reward: number | null }
    if (r.reward === 1) passed++
  })
  return { ms: performance.now() - t0, passed }
}

async function verifierRound (v: CodeVerifier, items: CorpusItem[]): Promise<{ ms: number, passed: number }> {
  const t0 = performance.now()
  const rs = await Promise.all(items.map(async it => await v.verify(it.input)))
  return { ms: performance.now() - t0, passed: rs.filter(r => r.reward === 1).length }
}

export async function benchCode (rounds = 3): Promise<string> {
  if (!corpusAvailable()) return 'code bench skipped: corpus not found (set EVAL_DIR)'
  const concurrency = availableParallelism()
  const he = humaneval()
  const dir = mkdtempSync(join(tmpdir(), 'rv-bench-'))
  const files = he.map((it, i) => {
    const f = join(dir, `p${i}.py`)
    const t = it.input.tests
    writeFileSync(f, it.input.code + '\n' + (t.type === 'script' ? t.script : ''))
    return f
  })
  const v = createCodeVerifier({ pythonSlots: concurrency, jsIsolates: concurrency })
  const svc = await startService({ EMBEDDED_WORKER: 'false', CODE_PYTHON_SLOTS: String(concurrency) })
  const lines: string[] = []
  try {
    await v.warm()
    await verifierRound(v, he.slice(0, 8)) // first use: jails already warm; this warms the page cache
    await httpRound(svc.url, he.slice(0, 8), concurrency)
    const bare: Array<{ ms: number, passed: number }> = []
    const jail: Array<{ ms: number, passed: number }> = []
    const http: Array<{ ms: number, passed: number }> = []
    for (let r = 0; r < rounds; r++) {
      // rotate the order of the three paths so none always runs first
      const runs = [
        async () => { bare.push(await bareRound(files, concurrency)) },
        async () => { jail.push(await verifierRound(v, he)) },
        async () => { http.push(await httpRound(svc.url, he, concurrency)) }
      ]
      for (let k = 0; k < runs.length; k++) await (runs[(r + k) % runs.length] as () => Promise<void>)()
    }
    const b = median(bare.map(x => x.ms))
    const j = median(jail.map(x => x.ms))
    const h = median(http.map(x => x.ms))
    lines.push(
      `concurrency ${concurrency}, ${rounds} rounds (medians), python flags ${FLAGS.join(' ')}`,
      '',
      '| measure | value | passed |',
      '| --- | --- | --- |',
      `| HumanEval 164, bare /usr/bin/python3 | ${(b / 1000).toFixed(2)} s | ${bare[0]?.passed ?? 0}/164 |`,
      `| HumanEval 164, code verifier (bwrap jails) | ${(j / 1000).toFixed(2)} s | ${jail[0]?.passed ?? 0}/164 |`,
      `| ratio verifier / bare | ${(j / b).toFixed(2)}x | |`,
      `| HumanEval 164 through the service (POST /v1/verify/code, ${concurrency} in flight) | ${(h / 1000).toFixed(2)} s | ${http[0]?.passed ?? 0}/164 |`,
      `| ratio service / bare (target <= 1.5) | ${(h / b).toFixed(2)}x | |`
    )
    lines.push(...await benchJavascript(v, svc.url, rounds, 32, svc.child.pid))
  } finally {
    await svc.stop()
    await v.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return lines.join('\n')
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  console.log(await benchCode(Number(process.argv[2] ?? 3)))
}

/**
 * Tenants under a mixed load (issue 13), against the service in its own process with API keys (each tenant
 * its own key, minted by `reward-verifier keys add`):
 * - ordinary: 4 connections, each sending /v1/score batches of 8 groups x 16 math completions back to back;
 * - hostile math: 2 connections sending /v1/score batches of 9^{9^{9^{9}}}, \sum_{n=1}^{10^{12}} n and
 *   50k-character answers;
 * - hostile code: 2 connections sending /v1/verify/code, Python and JavaScript that loop on the CPU for 10 s
 *   (JavaScript's cap is 5 s of CPU).
 * The ordinary tenant runs alone, then with both hostile tenants, on the same service: p50/p99 side by side,
 * their ratio, and the status codes per tenant. A hostile client that gets a 429 retries after 50 ms (it
 * does not honour Retry-After).
 * Then the maximal valid request (MAX_GROUPS_PER_REQUEST x 16 = MAX_COMPLETIONS_PER_REQUEST math completions)
 * at 1/4, 1/2 and 1 of its size: time to score, and /healthz latency polled every 50 ms while it runs.
 * Standalone: node --import tsx bench/tenants.ts [mixed|maximal] (both by default).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { median, percentile, rng, table, startService, type RunningService } from './lib.ts'

const ROOT = new URL('..', import.meta.url).pathname
const ALONE_S = Number(process.env.BENCH_TENANTS_ALONE_S ?? 20)
const MIXED_S = Number(process.env.BENCH_TENANTS_MIXED_S ?? 25)
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

interface Case { gold: string, prediction: string }

function mathCases (): Case[] {
  const file = resolve(ROOT, process.env.EVAL_DIR ?? '../shared/eval', 'math/cases.jsonl')
  if (!existsSync(file)) return Array.from({ length: 64 }, (_, i) => ({ gold: String(i), prediction: String(i % 3 === 0 ? i + 1 : i) }))
  return readFileSync(file, 'utf8').split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as Case)
}

/** An R1-template completion of about `thinkChars` characters of reasoning ending in \boxed{answer}. */
function r1 (answer: string, thinkChars: number): string {
  const step = 'We simplify the expression step by step and check the result. '
  return `<think>\n${step.repeat(Math.round(thinkChars / step.length))}\n</think>\n<answer>\nThe answer is $\\boxed{${answer}}$.\n</answer>`
}

/** A batch of `groups` math groups x `per` completions from the corpus (about half right). */
export function mathBatch (cases: Case[], r: () => number, groups: number, per: number, thinkChars: number, tag = 'g'): object {
  return {
    groups: Array.from({ length: groups }, (_, g) => {
      const c = cases[Math.floor(r() * cases.length)] as Case
      return {
        id: `${tag}${g}`,
        reference: { type: 'math', answer: c.gold },
        completions: Array.from({ length: per }, (_, i) => r1(i % 2 === 0 ? c.prediction : `${c.prediction}+${1 + (i % 5)}`, thinkChars))
      }
    })
  }
}

const HOSTILE_ANSWERS = ['9^{9^{9^{9}}}', '\\sum_{n=1}^{10^{12}} n', `${'9'.repeat(25_000)}+${'9'.repeat(24_999)}`]

function hostileMathBatch (): object {
  const golds = ['9^{9^{9^{9}}}', '\\sum_{n=1}^{10^{12}} n', '500000000000500000000000', '7']
  return {
    groups: golds.map((gold, g) => ({
      id: `h${g}`,
      reference: { type: 'math', answer: gold },
      completions: Array.from({ length: 16 }, (_, i) => r1(HOSTILE_ANSWERS[(g + i) % HOSTILE_ANSWERS.length] as string, 200))
    }))
  }
}

const LOOPS = [
  { language: 'python', code: 'def f():\n    while True:\n        pass\n', tests: { type: 'call', function: 'f', cases: [{ args: [], expected: 1 }] }, limits: { time_ms: 10_000 } },
  { language: 'javascript', code: 'function f () { while (true) {} }', tests: { type: 'call', function: 'f', cases: [{ args: [], expected: 1 }] }, limits: { time_ms: 10_000 } }
]

/** Mints one key per tenant with the CLI (`reward-verifier keys add`) into a fresh API_KEYS_FILE. */
function mintKeys (names: string[]): { file: string, dir: string, key: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'rwd-bench-tenants-'))
  const file = join(dir, 'api-keys')
  const key: Record<string, string> = {}
  for (const name of names) {
    key[name] = execFileSync(process.execPath, ['bin/reward-verifier.js', 'keys', 'add', '--name', name, '--scope', 'score', '--file', file],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  }
  return { file, dir, key }
}

type Counts = Record<string, number>
const bump = (c: Counts, status: number): void => {
  const k = status === 200 ? '200' : status === 429 ? '429' : 'other'
  c[k] = (c[k] ?? 0) + 1
}
const fmtCounts = (c: Counts | undefined): string => c === undefined ? '—' : `${c['200'] ?? 0} / ${c['429'] ?? 0} / ${c.other ?? 0}`

interface Client { url: string, key: string, path: string, bodies: string[], counts: Counts, latencies: number[], other: string[] }

/** One connection's closed loop until `until` (ms, performance.now()); a 429 is retried after `backoffMs`. */
async function loop (c: Client, until: number, backoffMs: number, offset: number): Promise<void> {
  let i = offset
  while (performance.now() < until) {
    const body = c.bodies[i++ % c.bodies.length] as string
    const t0 = performance.now()
    let status = 0
    try {
      const res = await fetch(`${c.url}${c.path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${c.key}` }, body })
      const text = await res.text()
      status = res.status
      if (status !== 200 && status !== 429 && c.other.length < 3) c.other.push(`${status} ${text.slice(0, 200)}`)
    } catch (err) {
      if (c.other.length < 3) c.other.push(String(err))
    }
    const ms = performance.now() - t0
    if (process.env.BENCH_TENANTS_TRACE !== undefined && (ms > 2000 || c.path !== '/v1/score')) console.error(`trace ${c.key.slice(0, 8)} ${c.path} ${status} start ${(t0 / 1000).toFixed(1)} ms ${ms.toFixed(0)}`)
    bump(c.counts, status)
    if (status === 200) c.latencies.push(ms)
    if (status === 429) await sleep(backoffMs)
  }
}

function client (svc: RunningService, key: string, path: string, bodies: string[]): Client {
  return { url: svc.url, key, path, bodies, counts: {}, latencies: [], other: [] }
}

interface MixedResult { alone: Client, mixed: Client, hostileMath: Client, hostileCode: Client }

async function runMixed (svc: RunningService, key: Record<string, string>): Promise<MixedResult> {
  const cases = mathCases()
  const r = rng(13)
  const ordinaryBodies = Array.from({ length: 16 }, (_, b) => JSON.stringify(mathBatch(cases, r, 8, 16, 600, `b${b}g`)))
  const hostileMath = [JSON.stringify(hostileMathBatch())]
  const code = LOOPS.map(l => JSON.stringify(l))
  const warm = client(svc, key.ordinary ?? '', '/v1/score', ordinaryBodies)
  await Promise.all([0, 1, 2, 3].map(async o => { await loop(warm, performance.now() + 3000, 50, o) }))
  const alone = client(svc, key.ordinary ?? '', '/v1/score', ordinaryBodies)
  let until = performance.now() + ALONE_S * 1000
  await Promise.all([0, 1, 2, 3].map(async o => { await loop(alone, until, 50, o * 4) }))
  const mixed = client(svc, key.ordinary ?? '', '/v1/score', ordinaryBodies)
  const hm = client(svc, key.hostile_math ?? '', '/v1/score', hostileMath)
  const hc = client(svc, key.hostile_code ?? '', '/v1/verify/code', code)
  until = performance.now() + MIXED_S * 1000
  // the hostile tenants start first, so the ordinary tenant's window sees their load from its start
  const hostile = [
    ...[0, 1].map(async o => { await loop(hc, until, 50, o) }),
    ...[0, 1].map(async o => { await loop(hm, until, 50, o) })
  ]
  await sleep(1000)
  await Promise.all([0, 1, 2, 3].map(async o => { await loop(mixed, until, 50, o * 4) }))
  await Promise.all(hostile)
  return { alone, mixed, hostileMath: hm, hostileCode: hc }
}

function mixedTable (label: string, m: MixedResult): string {
  const p = (c: Client, q: number): number => percentile(c.latencies, q)
  const rows: Array<Array<string | number>> = [
    ['ordinary p50 (ms)', p(m.alone, 50), p(m.mixed, 50), p(m.mixed, 50) / p(m.alone, 50)],
    ['ordinary p99 (ms)', p(m.alone, 99), p(m.mixed, 99), p(m.mixed, 99) / p(m.alone, 99)],
    ['ordinary max (ms)', Math.max(...m.alone.latencies), Math.max(...m.mixed.latencies), ''],
    ['ordinary requests 200 / 429 / other', fmtCounts(m.alone.counts), fmtCounts(m.mixed.counts), ''],
    ['hostile math requests 200 / 429 / other', '—', fmtCounts(m.hostileMath.counts), ''],
    ['hostile code requests 200 / 429 / other', '—', fmtCounts(m.hostileCode.counts), '']
  ]
  const errs = [...m.alone.other, ...m.mixed.other, ...m.hostileMath.other, ...m.hostileCode.other]
  return table(`Mixed load, ${label}: ordinary tenant alone (${ALONE_S} s) vs with both hostile tenants (${MIXED_S} s)`,
    ['measure', 'alone', 'mixed', 'mixed / alone'], rows) + (errs.length > 0 ? `\n\nother statuses: ${errs.join(' | ')}` : '')
}

/** The service configurations compared side by side (BENCH_TENANTS_CONFIGS=name,... picks some). */
export const CONFIGS: Record<string, Record<string, string>> = {
  default: {},
  'no-cpu-weight': { CODE_CPU_SHARES: '0' }
}

export async function benchMixed (): Promise<string> {
  const { file, dir, key } = mintKeys(['ordinary', 'hostile_math', 'hostile_code'])
  const out: string[] = []
  const wanted = (process.env.BENCH_TENANTS_CONFIGS ?? 'default').split(',')
  try {
    for (const name of wanted) {
      const env = CONFIGS[name]
      if (env === undefined) { out.push(`unknown config ${name}`); continue }
      const svc = await startService({ API_KEYS_FILE: file, EMBEDDED_WORKER: 'false', TEXT_THREADS: '0', QUEUE_PREFIX: `bench-tenants-${process.pid}`, ...env })
      try {
        out.push(mixedTable(`${name} (${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults'})`, await runMixed(svc, key)))
      } finally {
        await svc.stop()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return out.join('\n')
}

/**
 * /healthz every 50 ms (each poll waits for the previous) until stop() is called: the latencies, and how
 * late this process's own 50 ms sleeps woke (the machine's scheduling noise, the control for the latencies).
 */
function pollHealth (url: string): { stop: () => Promise<{ lat: number[], lag: number[] }> } {
  const lat: number[] = []
  const lag: number[] = []
  const state = { running: true }
  const done = (async () => {
    while (state.running) {
      const t0 = performance.now()
      try { await (await fetch(`${url}/healthz`)).arrayBuffer() } catch { /* counted as its time */ }
      lat.push(performance.now() - t0)
      const s0 = performance.now()
      await sleep(50)
      lag.push(performance.now() - s0 - 50)
    }
  })()
  return { stop: async () => { state.running = false; await done; return { lat, lag } } }
}

export async function benchMaximal (): Promise<string> {
  const svc = await startService({ EMBEDDED_WORKER: 'false', TEXT_THREADS: '0', QUEUE_PREFIX: `bench-tenants-${process.pid}` })
  const rows: Array<Array<string | number>> = []
  try {
    const cases = mathCases()
    const maxGroups = 4096 // MAX_GROUPS_PER_REQUEST (and x 16 = MAX_COMPLETIONS_PER_REQUEST, 65,536)
    const short = cases.filter(c => c.gold.length + c.prediction.length < 60) // the body stays under BODY_LIMIT_BYTES
    const warm = await fetch(`${svc.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mathBatch(short, rng(1), 512, 16, 62)) })
    await warm.arrayBuffer()
    for (const fraction of [0.25, 0.5, 1]) {
      const groups = maxGroups * fraction
      const body = JSON.stringify(mathBatch(short, rng(7), groups, 16, 62))
      const poll = pollHealth(svc.url)
      await sleep(200)
      const t0 = performance.now()
      const res = await fetch(`${svc.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      const bytes = (await res.arrayBuffer()).byteLength
      const ms = performance.now() - t0
      const { lat, lag } = await poll.stop()
      const ppm = (xs: number[]): string => `${median(xs).toFixed(1)} / ${percentile(xs, 99).toFixed(1)} / ${Math.max(...xs).toFixed(1)}`
      rows.push([`${groups} x 16 (${(groups * 16).toLocaleString('en')} completions, ${(Buffer.byteLength(body) / 2 ** 20).toFixed(1)} MiB)`,
        res.status, ms / 1000, 1e3 * ms / (groups * 16), ppm(lat), lat.length, ppm(lag), `${(bytes / 2 ** 20).toFixed(1)} MiB`])
    }
  } finally {
    await svc.stop()
  }
  return table('The maximal valid request: /v1/score with math completions at 1/4, 1/2 and 1 of MAX_COMPLETIONS_PER_REQUEST',
    ['request', 'status', 'time (s)', 'µs per completion', '/healthz p50 / p99 / max (ms)', 'polls', "bench process's own 50 ms sleep, late by p50 / p99 / max (ms)", 'reply'], rows)
}

export async function benchTenants (parts = ['mixed', 'maximal']): Promise<string> {
  const out: string[] = []
  if (parts.includes('mixed')) out.push(await benchMixed())
  if (parts.includes('maximal')) out.push(await benchMaximal())
  return out.join('\n')
}

if (process.argv[1]?.endsWith('tenants.ts') === true) {
  const parts = process.argv.slice(2)
  console.log(await benchTenants(parts.length > 0 ? parts : undefined))
}

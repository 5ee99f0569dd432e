/**
 * Math verifier bench: agreement with the labelled corpus per category (ours and Math-Verify's), false
 * positives, throughput and latency through the worker pool with ONE thread, and hostile inputs.
 * Standalone: node --import tsx bench/math.ts   (corpus: $EVAL_DIR/math/cases.jsonl, default ../shared/eval)
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createMathVerifier, type MathCheckInput } from '../src/rewards/math/index.ts'

export interface CategoryRow { category: string, n: number, ours: number, mathVerify: number }
export interface HostileRow { input: string, status: string, ms: number }
export interface MathBenchReport {
  corpus: string
  rows: CategoryRow[]
  overall: { n: number, ours: number, mathVerify: number, falsePositives: number, falseNegatives: number }
  throughput: { checks: number, seconds: number, perSecond: number, p50Ms: number, p99Ms: number, maxMs: number }
  hostile: HostileRow[]
}

interface Row { gold: string, prediction: string, expected: boolean, category: string, math_verify: boolean }

const root = new URL('..', import.meta.url).pathname
const pct = (x: number): string => (100 * x).toFixed(1) + '%'

function quantile (xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN
}

/** The markdown tables, as `npm run bench` (bench/index.ts) prints them. */
export async function benchMath (): Promise<string> {
  return formatMathBench(await runMathBench())
}

/** The measurements, structured. */
export async function runMathBench (opts: { evalDir?: string, deadlineMs?: number, rounds?: number } = {}): Promise<MathBenchReport> {
  const file = resolve(root, opts.evalDir ?? process.env.EVAL_DIR ?? '../shared/eval', 'math/cases.jsonl')
  if (!existsSync(file)) throw new Error(`math corpus not found at ${file} (set EVAL_DIR)`)
  const rows = readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l) as Row)
  const inputs: MathCheckInput[] = rows.map(r => ({ gold: r.gold, prediction: r.prediction, extract: true }))
  const deadlineMs = opts.deadlineMs ?? 1000
  const verifier = createMathVerifier({ threads: 1, deadlineMs })
  try {
    await verifier.ready()
    // accuracy
    const results = await verifier.checkMany(inputs)
    const cats = new Map<string, CategoryRow>()
    let ours = 0; let mv = 0; let fp = 0; let fn = 0
    rows.forEach((r, i) => {
      const res = results[i]
      const got = res?.status === 'ok' ? res.equivalent : null
      const row = cats.get(r.category) ?? { category: r.category, n: 0, ours: 0, mathVerify: 0 }
      row.n++
      if (got === r.expected) { row.ours++; ours++ } else if (got === true) fp++; else fn++
      if (r.math_verify === r.expected) { row.mathVerify++; mv++ }
      cats.set(r.category, row)
    })
    // throughput: the whole corpus submitted at once, one worker thread, several rounds
    const rounds = opts.rounds ?? 5
    const t0 = performance.now()
    for (let k = 0; k < rounds; k++) await verifier.checkMany(inputs)
    const seconds = (performance.now() - t0) / 1000
    // latency: one check at a time, round trip through the pool
    const lat: number[] = []
    for (const input of inputs) {
      const s = performance.now()
      await verifier.check(input)
      lat.push(performance.now() - s)
    }
    const hostile = await hostileRows(deadlineMs)
    return {
      corpus: file,
      rows: [...cats.values()].sort((a, b) => a.category.localeCompare(b.category)),
      overall: { n: rows.length, ours, mathVerify: mv, falsePositives: fp, falseNegatives: fn },
      throughput: {
        checks: rounds * inputs.length,
        seconds,
        perSecond: rounds * inputs.length / seconds,
        p50Ms: quantile(lat, 0.5),
        p99Ms: quantile(lat, 0.99),
        maxMs: Math.max(...lat)
      },
      hostile
    }
  } finally {
    await verifier.close()
  }
}

/** Hostile inputs, all submitted together with an ordinary check beside them (2 threads). */
async function hostileRows (deadlineMs: number): Promise<HostileRow[]> {
  const cases: Array<[string, MathCheckInput]> = [
    ['9^{9^{9}}', { gold: '1', prediction: '\\boxed{9^{9^{9}}}', extract: true }],
    ['\\sum_{n=1}^{10^9} n', { gold: '1', prediction: '\\boxed{\\sum_{n=1}^{10^9} n}', extract: true }],
    ['10!!!!!!', { gold: '1', prediction: '\\boxed{10!!!!!!}', extract: true }],
    ['10,000 nested braces', { gold: '1', prediction: '\\boxed{' + '{'.repeat(10_000) + '1' + '}'.repeat(10_000) + '}', extract: true }],
    ['1 MB answer', { gold: '1', prediction: '7'.repeat(1 << 20), extract: false }],
    ['1 MB completion', { gold: '1', prediction: 'so '.repeat(350_000) + '\\boxed{1}', extract: true }],
    ['harmonic sum to 10^4', { gold: '1', prediction: '\\boxed{\\sum_{a=1}^{10000} \\frac{1}{a}}', extract: true }],
    ['gold 9^{9^{9}}', { gold: '9^{9^{9}}', prediction: '1', extract: false }],
    ['ordinary check beside them', { gold: '\\frac{3}{2}', prediction: '<answer>1.5</answer>', extract: true }]
  ]
  const v = createMathVerifier({ threads: 2, deadlineMs })
  const short = createMathVerifier({ threads: 1, deadlineMs: 20 })
  try {
    await Promise.all([v.ready(), short.ready()])
    const t0 = performance.now()
    const rows = await Promise.all(cases.map(async ([name, input]) => {
      const r = await v.check(input)
      return { input: name, status: r.status === 'ok' ? `ok (${String(r.equivalent)})` : r.status, ms: performance.now() - t0 }
    }))
    // the kill path: a check under every cap that still outlasts a 20 ms deadline (~80 ms of exact sums)
    const t1 = performance.now()
    const r = await short.check({ gold: '1', prediction: '\\sum_{a=1}^{140}\\sum_{b=1}^{140} ab', extract: false })
    rows.push({ input: 'deadline 20 ms, 140x140 nested sum (worker killed)', status: r.status, ms: performance.now() - t1 })
    return rows
  } finally {
    await Promise.all([v.close(), short.close()])
  }
}

export function formatMathBench (r: MathBenchReport): string {
  const out: string[] = []
  const line = (cols: string[]): void => { out.push('| ' + cols.join(' | ') + ' |') }
  out.push(`math corpus: ${r.corpus}`, '')
  line(['category', 'n', 'ours', 'Math-Verify'])
  line(['---', '---:', '---:', '---:'])
  for (const c of r.rows) line([c.category, String(c.n), pct(c.ours / c.n), pct(c.mathVerify / c.n)])
  const o = r.overall
  line(['**overall**', String(o.n), pct(o.ours / o.n), pct(o.mathVerify / o.n)])
  out.push('', `false positives ${o.falsePositives} (${pct(o.falsePositives / o.n)}), false negatives ${o.falseNegatives}`)
  const t = r.throughput
  out.push(`throughput, pool of 1 worker thread: ${t.checks} checks in ${t.seconds.toFixed(2)} s = ${t.perSecond.toFixed(0)} checks/s; ` +
    `latency one at a time p50 ${t.p50Ms.toFixed(2)} ms, p99 ${t.p99Ms.toFixed(2)} ms, max ${t.maxMs.toFixed(2)} ms`, '')
  line(['hostile input', 'status', 'ms after submit'])
  line(['---', '---', '---:'])
  for (const h of r.hostile) line([h.input, h.status, h.ms.toFixed(1)])
  return out.join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await benchMath())
}

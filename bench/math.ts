/**
 * Math verifier bench: agreement with the labelled corpus per category (ours and Math-Verify's) under both
 * rounding settings, false positives, the adversarial corpus (test/fixtures/math/adversarial.jsonl) per
 * class, throughput and latency through the worker pool with ONE thread, and hostile inputs.
 * Standalone: node --import tsx bench/math.ts   (corpus: $EVAL_DIR/math/cases.jsonl, default ../shared/eval)
 * Side by side with an earlier verifier: MATH_BASELINE_DIR=<a checkout of it> (see src/rewards/math/README.md);
 * both pools then run the same rounds, interleaved, in this one process.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createMathVerifier, type MathCheckInput, type MathVerifier } from '../src/rewards/math/index.ts'

export interface CategoryRow { category: string, n: number, ours: number, mathVerify: number }
export interface HostileRow { input: string, status: string, ms: number }
export interface ClassRow { cls: string, n: number, agree: number, falsePositives: number, falseNegatives: number }
export interface Overall { n: number, ours: number, mathVerify: number, falsePositives: number, falseNegatives: number }
export interface Throughput { checks: number, seconds: number, perSecond: number, p50Ms: number, p99Ms: number, maxMs: number }
export interface MathBenchReport {
  corpus: string
  rows: CategoryRow[]
  overall: Overall
  /** The same corpus with rounding 'gold_precision'. */
  overallGoldPrecision: Overall
  adversarial: { file: string, rows: ClassRow[], overall: ClassRow }
  throughput: Throughput
  /** The earlier verifier (MATH_BASELINE_DIR), measured in the same rounds. */
  baseline?: { dir: string, throughput: Throughput }
  hostile: HostileRow[]
}

interface Row { gold: string, prediction: string, expected: boolean, category: string, math_verify: boolean }
interface AdvRow { class: string, gold: string, prediction: string, expected: boolean, rounding?: 'off' | 'gold_precision' }

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

function agreement (rows: Row[], results: Array<{ status: string, equivalent: boolean | null }>): { overall: Overall, cats: CategoryRow[] } {
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
  return { overall: { n: rows.length, ours, mathVerify: mv, falsePositives: fp, falseNegatives: fn }, cats: [...cats.values()].sort((a, b) => a.category.localeCompare(b.category)) }
}

/** Rounds of the whole corpus through one pool: checks/s; then one check at a time: latency. */
async function measure (verifier: MathVerifier, inputs: MathCheckInput[], rounds: number): Promise<{ seconds: number[], lat: number[] }> {
  const seconds: number[] = []
  for (let k = 0; k < rounds; k++) {
    const t0 = performance.now()
    await verifier.checkMany(inputs)
    seconds.push((performance.now() - t0) / 1000)
  }
  return { seconds, lat: [] }
}

function throughputOf (seconds: number[], lat: number[], n: number): Throughput {
  const total = seconds.reduce((a, b) => a + b, 0)
  const med = quantile(seconds, 0.5)
  return { checks: n * seconds.length, seconds: total, perSecond: n / med, p50Ms: quantile(lat, 0.5), p99Ms: quantile(lat, 0.99), maxMs: Math.max(...lat) }
}

/** The measurements, structured. */
export async function runMathBench (opts: { evalDir?: string, deadlineMs?: number, rounds?: number, baselineDir?: string } = {}): Promise<MathBenchReport> {
  const file = resolve(root, opts.evalDir ?? process.env.EVAL_DIR ?? '../shared/eval', 'math/cases.jsonl')
  if (!existsSync(file)) throw new Error(`math corpus not found at ${file} (set EVAL_DIR)`)
  const rows = readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l) as Row)
  const inputs: MathCheckInput[] = rows.map(r => ({ gold: r.gold, prediction: r.prediction, extract: true }))
  const advFile = resolve(root, 'test/fixtures/math/adversarial.jsonl')
  const adv = readFileSync(advFile, 'utf8').trim().split('\n').map(l => JSON.parse(l) as AdvRow)
  const deadlineMs = opts.deadlineMs ?? 1000
  const verifier = createMathVerifier({ threads: 1, deadlineMs })
  const baselineDir = opts.baselineDir ?? process.env.MATH_BASELINE_DIR
  let baseline: MathVerifier & { ready: () => Promise<void> } | null = null
  if (baselineDir !== undefined && baselineDir !== '') {
    const mod = await import(pathToFileURL(resolve(baselineDir, 'src/rewards/math/index.ts')).href) as { createMathVerifier: typeof createMathVerifier }
    baseline = mod.createMathVerifier({ threads: 1, deadlineMs })
  }
  try {
    await Promise.all([verifier.ready(), baseline?.ready()])
    // accuracy: the public corpus under both rounding settings, the adversarial corpus per class
    const off = agreement(rows, await verifier.checkMany(inputs))
    const gp = agreement(rows, await verifier.checkMany(inputs.map(i => ({ ...i, rounding: 'gold_precision' as const }))))
    const advResults = await verifier.checkMany(adv.map(r => ({ gold: r.gold, prediction: r.prediction, extract: true, ...(r.rounding === undefined ? {} : { rounding: r.rounding }) })))
    const classes = new Map<string, ClassRow>()
    const total: ClassRow = { cls: '**overall**', n: 0, agree: 0, falsePositives: 0, falseNegatives: 0 }
    adv.forEach((r, i) => {
      const res = advResults[i]
      const got = res?.status === 'ok' ? res.equivalent : null
      const row = classes.get(r.class) ?? { cls: r.class, n: 0, agree: 0, falsePositives: 0, falseNegatives: 0 }
      for (const x of [row, total]) {
        x.n++
        if (got === r.expected) x.agree++
        else if (got === true) x.falsePositives++
        else x.falseNegatives++
      }
      classes.set(r.class, row)
    })
    // throughput: the whole corpus submitted at once, one worker thread; with a baseline, rounds alternate
    const rounds = opts.rounds ?? 5
    const ours: number[] = []
    const base: number[] = []
    for (let k = 0; k < rounds; k++) {
      ours.push(...(await measure(verifier, inputs, 1)).seconds)
      if (baseline !== null) base.push(...(await measure(baseline, inputs, 1)).seconds)
    }
    // latency: one check at a time, round trip through the pool
    const latency = async (v: MathVerifier): Promise<number[]> => {
      const lat: number[] = []
      for (const input of inputs) {
        const s = performance.now()
        await v.check(input)
        lat.push(performance.now() - s)
      }
      return lat
    }
    const lat = await latency(verifier)
    const baseLat = baseline === null ? [] : await latency(baseline)
    const hostile = await hostileRows(deadlineMs)
    return {
      corpus: file,
      rows: off.cats,
      overall: off.overall,
      overallGoldPrecision: gp.overall,
      adversarial: { file: advFile, rows: [...classes.values()].sort((a, b) => a.cls.localeCompare(b.cls)), overall: total },
      throughput: throughputOf(ours, lat, inputs.length),
      ...(baseline === null || baselineDir === undefined ? {} : { baseline: { dir: baselineDir, throughput: throughputOf(base, baseLat, inputs.length) } }),
      hostile
    }
  } finally {
    await Promise.all([verifier.close(), baseline?.close()])
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
  out.push(`math corpus: ${r.corpus} (rounding off, the default)`, '')
  line(['category', 'n', 'ours', 'Math-Verify'])
  line(['---', '---:', '---:', '---:'])
  for (const c of r.rows) line([c.category, String(c.n), pct(c.ours / c.n), pct(c.mathVerify / c.n)])
  const o = r.overall
  line(['**overall**', String(o.n), pct(o.ours / o.n), pct(o.mathVerify / o.n)])
  out.push('')
  line(['rounding', 'agree', 'agreement', 'false positives', 'false negatives'])
  line(['---', '---:', '---:', '---:', '---:'])
  for (const [name, x] of [['off', r.overall], ['gold_precision', r.overallGoldPrecision]] as const) {
    line([name, `${x.ours}/${x.n}`, pct(x.ours / x.n), `${x.falsePositives} (${pct(x.falsePositives / x.n)})`, String(x.falseNegatives)])
  }
  out.push('', `adversarial corpus: ${r.adversarial.file}`, '')
  line(['class', 'n', 'agreement', 'false positives', 'false-positive rate', 'false negatives'])
  line(['---', '---:', '---:', '---:', '---:', '---:'])
  for (const c of [...r.adversarial.rows, r.adversarial.overall]) {
    line([c.cls, String(c.n), pct(c.agree / c.n), String(c.falsePositives), pct(c.falsePositives / c.n), String(c.falseNegatives)])
  }
  out.push('')
  const t = r.throughput
  const row = (name: string, x: Throughput): void => {
    line([name, x.perSecond.toFixed(0), x.p50Ms.toFixed(2), x.p99Ms.toFixed(2), x.maxMs.toFixed(2)])
  }
  line(['verifier (pool of 1 worker thread, public corpus)', 'checks/s (median round)', 'p50 ms', 'p99 ms', 'max ms'])
  line(['---', '---:', '---:', '---:', '---:'])
  row('this one', t)
  if (r.baseline !== undefined) {
    row(`baseline ${r.baseline.dir}`, r.baseline.throughput)
    out.push('', `throughput ratio this/baseline: ${(t.perSecond / r.baseline.throughput.perSecond).toFixed(2)} (rounds interleaved in one process)`)
  }
  out.push('')
  line(['hostile input', 'status', 'ms after submit'])
  line(['---', '---', '---:'])
  for (const h of r.hostile) line([h.input, h.status, h.ms.toFixed(1)])
  return out.join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await benchMath())
}

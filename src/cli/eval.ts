/**
 * `reward-verifier eval`: metrics from the output of `score` (pass@1, pass@k, maj@k, format rate, length,
 * per-category accuracy), printed as a table or JSON, optionally an HTML report. Streams the input: each
 * group is reduced to its metrics as it is read.
 */
import { createReadStream, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'
import { ScoredGroupSchema, type EvalReply } from '../eval/schema.ts'
import { evaluateProblem, type ProblemTally } from '../eval/problem.ts'
import { EvalAggregator } from '../eval/aggregate.ts'
import { mathEquivalence } from '../eval/clusters.ts'
import { renderReport } from '../eval/report/html.ts'
import { formatSummary } from '../eval/text.ts'
import type { MathVerifier } from '../rewards/math/api.ts'
import { loadConfig } from '../config/load.ts'
import { parse, str, required, int, intList, UsageError } from './args.ts'
import { describeErrors } from './group-line.ts'

export const evalUsage = `usage: reward-verifier eval --in scored.jsonl [options]

Reads the output of reward-verifier score (one scored group per line) and prints pass@1, pass@k, maj@k,
format rate, mean response length and per-category accuracy.

options:
  --in FILE           scored JSONL (required)
  --k LIST            k values, e.g. 1,4,16,64 (default: powers of two up to the largest group, and its size)
  --report FILE       write a self-contained HTML report with plots
  --json              print the full metrics (per problem too) as JSON instead of the table
  --out FILE          write the full metrics as JSON to FILE
  --bins N            reward histogram bins (default 20)
  --threads N         math worker threads for merging equivalent answers (default MATH_THREADS)
  --no-equivalence    maj@k merges wrong answers only when identical (no math verifier; right answers are
                      always one cluster, as each was judged equivalent to the reference)
  --allow-bad-lines   exit 0 even when malformed lines were left out

exit status: 0 done; 1 malformed lines (unless --allow-bad-lines) or a failure; 2 usage error.
`

const validator = Compile(ScoredGroupSchema)

export async function evalCommand (argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(evalUsage); return 0 }
  let v: Record<string, string | boolean | undefined>
  let k: number[] | undefined
  let inPath: string
  let bins: number
  let threads: number
  try {
    v = parse(argv, {
      in: { type: 'string' },
      k: { type: 'string' },
      report: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      bins: { type: 'string' },
      threads: { type: 'string' },
      'no-equivalence': { type: 'boolean' },
      'allow-bad-lines': { type: 'boolean' }
    })
    inPath = required(v, 'in')
    k = intList(v, 'k')
    bins = int(v, 'bins', 20, 1, 200)
    threads = int(v, 'threads', v['no-equivalence'] === true ? 1 : loadConfig(process.env).MATH_THREADS, 1, 256)
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof Error && 'code' in err)) throw err
    process.stderr.write(`reward-verifier eval: ${(err as Error).message}\n\n${evalUsage}`)
    return 2
  }
  let math: MathVerifier | undefined
  if (v['no-equivalence'] !== true) {
    const { createMathVerifier } = await import('../rewards/math/index.ts')
    math = createMathVerifier({ threads, deadlineMs: loadConfig(process.env).MATH_DEADLINE_MS })
  }
  let reply: EvalReply
  let bad = 0
  try {
    const r = await evalFile(inPath, k ?? null, bins, math, (lineNo, reason) => {
      bad++
      process.stderr.write(`${inPath}:${lineNo}: bad line: ${reason}\n`)
    })
    reply = r
  } catch (err) {
    process.stderr.write(`reward-verifier eval: ${(err as Error).message}\n`)
    return 1
  } finally {
    await math?.close()
  }
  const outPath = str(v, 'out')
  if (outPath !== undefined) writeFileSync(outPath, `${JSON.stringify(reply, null, 2)}\n`)
  const reportPath = str(v, 'report')
  if (reportPath !== undefined) writeFileSync(reportPath, renderReport(reply, { source: inPath }))
  process.stdout.write(v.json === true ? `${JSON.stringify(reply)}\n` : formatSummary(reply))
  if (bad > 0) {
    process.stderr.write(`reward-verifier eval: ${bad} malformed lines were left out\n`)
    if (v['allow-bad-lines'] !== true) return 1
  }
  return 0
}

/** Streams a scored JSONL file through the metrics; problems stay in file order. */
export async function evalFile (path: string, ks: number[] | null, bins: number, math: MathVerifier | undefined,
  onBad: (lineNo: number, reason: string) => void, concurrency = 8): Promise<EvalReply> {
  const equivalent = math === undefined ? undefined : mathEquivalence(math)
  const agg = new EvalAggregator()
  const queue: Array<Promise<ProblemTally>> = []
  const seen = new Map<string, number>()
  let lineNo = 0
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity })
  for await (const line of rl) {
    lineNo++
    if (line.trim() === '') continue
    let value: unknown
    try { value = JSON.parse(line) } catch (err) { onBad(lineNo, `not valid JSON: ${(err as Error).message}`); continue }
    if (!validator.Check(value)) { onBad(lineNo, describeErrors(Value.Errors(ScoredGroupSchema, value))); continue }
    const prev = seen.get(value.id)
    if (prev !== undefined) { onBad(lineNo, `id '${value.id}' repeats line ${prev}`); continue }
    seen.set(value.id, lineNo)
    const tally = evaluateProblem(value, ks, equivalent)
    tally.catch(() => {}) // awaited in order below; this only keeps a later failure from going unhandled meanwhile
    queue.push(tally)
    if (queue.length >= concurrency) agg.add(await (queue.shift() as Promise<ProblemTally>))
  }
  for (const p of queue) agg.add(await p)
  return agg.finish(ks, bins)
}

/**
 * The score pipeline: read lines (readline over a file stream), validate, skip what is already in the
 * output, batch, score up to `concurrency` batches at once, and write results in input order. The reader
 * waits while `concurrency` batches are unwritten, so at most that many batches are held in memory (the
 * reorder buffer), whatever the file size.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { once } from 'node:events'
import type { Group, RewardsOptions, AdvantageOptions, ScoreReply } from '../scoring/schema.ts'
import type { Config } from '../config/schema.ts'
import { parseGroupLine } from './group-line.ts'
import { scanOutput, ResumeError, type ResumeState } from './resume.ts'
import { Progress, type ProgressCounts } from './progress.ts'
import { BatchRejected, type ScoreBatch } from './backends.ts'
import { openBackend } from './score-backend.ts'

export interface ScoreRunOptions {
  inPath: string
  outPath: string
  url?: string
  concurrency: number
  batchSize: number
  /** The service configuration for in-process scoring (absent with url). */
  config?: Config
  threads: number
  textThreads: number
  rewards?: RewardsOptions
  advantages?: AdvantageOptions
  allowBadLines: boolean
  progressEverySeconds: number
  jsonSummary: boolean
}

interface IO { stderr: NodeJS.WritableStream & { isTTY?: boolean }, stdout: NodeJS.WritableStream }
interface Item { group: Group, text: string, lineNo: number, bytes: number }
type Outcome = { line: string, bad?: undefined } | { bad: string, line?: undefined }
interface Done { items: Item[], outcomes?: Outcome[], hash?: string, err?: Error }

export async function runScore (opts: ScoreRunOptions, io: IO): Promise<number> {
  const shown: { progress?: Progress } = {}
  const say = (msg: string): void => { shown.progress?.interrupt(); io.stderr.write(`${msg}\n`) }
  let totalBytes: number
  try {
    totalBytes = statSync(opts.inPath).size
  } catch (err) {
    say(`reward-verifier score: cannot read --in ${opts.inPath}: ${(err as Error).message}`)
    return 1
  }
  let resume: ResumeState
  try {
    resume = await scanOutput(opts.outPath)
  } catch (err) {
    if (!(err instanceof ResumeError) && (err as { code?: string }).code === undefined) throw err
    say(`reward-verifier score: ${(err as Error).message}`)
    return 1
  }
  if (resume.truncatedBytes > 0) say(`removed an incomplete last line (${resume.truncatedBytes} bytes) from ${opts.outPath}`)
  if (resume.lines > 0) say(`resuming: ${resume.lines} groups already in ${opts.outPath} are skipped`)

  const backend = await openBackend(opts, say)
  let expectedHash = resume.configHash
  if (expectedHash !== null && backend.configHash !== null && backend.configHash !== expectedHash) {
    say(`reward-verifier score: ${opts.outPath} was scored with config ${expectedHash}, these options give ${backend.configHash}; use another --out or the same options`)
    await backend.close()
    return 1
  }
  const progress = new Progress({ totalBytes, stream: io.stderr, everySeconds: opts.progressEverySeconds, label: 'score' })
  shown.progress = progress
  const counts: ProgressCounts = { bytes: 0, skippedBytes: 0, groups: 0, samples: 0, bad: 0, skipped: 0 }
  const out = createWriteStream(opts.outPath, { flags: 'a', highWaterMark: 1 << 20 }) // a batch's lines fit: the reader rarely waits for 'drain'
  const t0 = performance.now()
  let fatal: Error | null = null
  out.on('error', err => { fatal ??= new Error(`cannot write ${opts.outPath}: ${err.message}`) })
  let interrupted = false
  const onSigint = (): void => { interrupted = true; say('interrupted: finishing the batches in flight (Ctrl-C again to abort)') }
  process.once('SIGINT', onSigint)

  const reportBad = (lineNo: number, reason: string): void => { counts.bad++; say(`${opts.inPath}:${lineNo}: bad line: ${reason}`) }

  // ordered writer: batch results wait in `done` until every earlier batch is written
  const done = new Map<number, Done>()
  let dispatched = 0
  let written = 0
  let wake: (() => void) | null = null
  const flush = (): void => {
    for (let d = done.get(written); d !== undefined; d = done.get(written)) {
      done.delete(written)
      written++
      if (fatal !== null) continue
      if (d.err !== undefined) { fatal = d.err; continue }
      if (d.hash !== undefined) {
        if (expectedHash !== null && d.hash !== expectedHash) {
          fatal = new Error(`the scorer's config hash ${d.hash} differs from ${expectedHash} of the lines already in ${opts.outPath}`)
          continue
        }
        expectedHash = d.hash
      }
      let chunk = ''
      d.items.forEach((item, i) => {
        const o = d.outcomes?.[i]
        counts.bytes += item.bytes
        if (o === undefined || o.bad !== undefined) { reportBad(item.lineNo, o?.bad ?? 'no result'); return }
        chunk += o.line
        counts.groups++
        counts.samples += item.group.completions.length
      })
      if (chunk !== '') out.write(chunk)
      progress.update(counts)
    }
    wake?.()
  }
  const dispatch = (items: Item[]): void => {
    const seq = dispatched++
    scoreItems(backend.score, items).then(r => done.set(seq, { items, ...r }), (err: Error) => done.set(seq, { items, err })).finally(flush)
  }
  const waitFor = async (cond: () => boolean): Promise<void> => {
    while (!cond()) await new Promise<void>(resolve => { wake = resolve })
  }

  const seen = new Map<string, number>()
  let lineNo = 0
  let batch: Item[] = []
  const input = createReadStream(opts.inPath)
  const rl = createInterface({ input, crlfDelay: Infinity })
  let busySince = performance.now()
  try {
    for await (const line of rl) {
      lineNo++
      if (fatal !== null || interrupted) break
      // readline hands over a whole chunk of lines at once; parsing them in one go would hold up the replies
      // of the math workers (each gets its next check from this thread), so yield every half millisecond
      if (performance.now() - busySince > 0.5) { await new Promise(resolve => setImmediate(resolve)); busySince = performance.now() }
      const bytes = Buffer.byteLength(line) + 1
      if (line.trim() === '') { counts.bytes += bytes; continue }
      const parsed = parseGroupLine(line)
      if (parsed.error !== undefined) { counts.bytes += bytes; reportBad(lineNo, parsed.error); continue }
      const g = parsed.group
      const prev = seen.get(g.id)
      if (prev !== undefined) { counts.bytes += bytes; reportBad(lineNo, `id '${g.id}' repeats line ${prev}`); continue }
      seen.set(g.id, lineNo)
      if (resume.doneIds.has(g.id)) { counts.bytes += bytes; counts.skippedBytes += bytes; counts.skipped++; progress.update(counts); continue }
      batch.push({ group: g, text: line, lineNo, bytes })
      if (batch.length >= opts.batchSize) {
        await waitFor(() => dispatched - written < opts.concurrency)
        if (out.writableNeedDrain) await once(out, 'drain')
        dispatch(batch)
        batch = []
      }
    }
    if (batch.length > 0 && fatal === null && !interrupted) dispatch(batch)
  } catch (err) {
    fatal ??= err as Error // a read or write failure: stop reading, keep what is scored in order
  }
  try {
    await waitFor(() => written === dispatched)
  } finally {
    rl.close()
    input.destroy()
    process.removeListener('SIGINT', onSigint)
    if (!out.closed) { out.end(); await once(out, 'close') } // a stream that failed is closed already
    await backend.close()
  }
  progress.update(counts, true)
  progress.done()
  const seconds = (performance.now() - t0) / 1000
  const summary = {
    groups: counts.groups,
    samples: counts.samples,
    skipped: counts.skipped,
    bad_lines: counts.bad,
    seconds: Number(seconds.toFixed(3)),
    samples_per_second: Math.round(counts.samples / Math.max(seconds, 1e-9)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    stopped: fatal !== null ? 'error' : interrupted ? 'interrupted' : null
  }
  say(`scored ${summary.groups} groups (${summary.samples} samples) in ${seconds.toFixed(1)} s, ${summary.samples_per_second} samples/s; ` +
    `${summary.skipped} skipped (already in the output); ${summary.bad_lines} bad lines; peak RSS ${summary.peak_rss_mb} MB`)
  if (opts.jsonSummary) io.stdout.write(`${JSON.stringify(summary)}\n`)
  if (fatal !== null) {
    say(`reward-verifier score: stopped: ${(fatal as Error).message}\n` +
      `${resume.lines + counts.groups} groups are in ${opts.outPath}; rerun the same command to resume`)
    return 1
  }
  if (interrupted) return 130
  if (counts.bad > 0 && !opts.allowBadLines) {
    say(`reward-verifier score: ${counts.bad} malformed lines were left out (see above); --allow-bad-lines accepts that`)
    return 1
  }
  return 0
}

/** Scores a batch; a batch the service rejects is split so that only the offending groups are left out. */
async function scoreItems (score: ScoreBatch, items: Item[]): Promise<{ outcomes: Outcome[], hash?: string }> {
  let reply: ScoreReply
  try {
    reply = await score(items.map(i => i.group))
  } catch (err) {
    if (!(err instanceof BatchRejected)) throw err
    if (items.length === 1) return { outcomes: [{ bad: `rejected by the service: ${err.message}` }] }
    const half = Math.ceil(items.length / 2)
    const [a, b] = await Promise.all([scoreItems(score, items.slice(0, half)), scoreItems(score, items.slice(half))])
    return { outcomes: [...a.outcomes, ...b.outcomes], hash: a.hash ?? b.hash }
  }
  const outcomes = items.map((item, i): Outcome => {
    const r = reply.groups[i]
    if (r === undefined || r.id !== item.group.id) throw new Error(`the reply's group ${i} is ${r?.id ?? 'missing'}, expected ${item.group.id}`)
    return { line: `${withFields(item.text, { results: r.results, advantages: r.advantages, stats: r.stats, reward_version: reply.reward_version, config_hash: reply.config_hash })}\n` }
  })
  return { outcomes, hash: reply.config_hash }
}

/**
 * The input line with fields appended, without re-serialising the group: the line is a JSON object (it
 * passed the schema, which also rules out these keys), so its closing brace is its last character.
 */
export function withFields (line: string, fields: Record<string, unknown>): string {
  const body = line.trimEnd()
  let extra = ''
  for (const [k, v] of Object.entries(fields)) extra += `,${JSON.stringify(k)}:${JSON.stringify(v)}`
  return `${body.slice(0, -1)}${extra}}`
}

/**
 * CLI bench (issue 7): math samples scored from a JSONL file by `reward-verifier score` (the real bin, a child
 * process) against the in-process scorer on the same groups already in memory, measured in this one run,
 * and the CLI's peak RSS at two file sizes (flat memory = streaming).
 * Standalone: node --import tsx bench/cli.ts [groups]   (default 10,000 groups of 10)
 */
import { spawn } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rng, table, median } from './lib.ts'
import { loadConfig } from '../src/config/load.ts'
import { createMathVerifier } from '../src/rewards/math/index.ts'
import { createScoringResources } from '../src/scoring/resources.ts'
import type { Group } from '../src/scoring/schema.ts'

const root = new URL('..', import.meta.url).pathname

/** Group i: a + b with a deterministic mix of right answers, wrong answers and missing tags. */
export function mathGroup (i: number, r: () => number, size = 10): Group {
  const a = Math.floor(r() * 1000)
  const b = Math.floor(r() * 1000)
  const completions = Array.from({ length: size }, () => {
    const x = r()
    const ans = x < 0.6 ? a + b : x < 0.9 ? a + b + 1 + Math.floor(r() * 9) : a - b
    const think = `We add ${a} and ${b}. Units first, then tens, then hundreds, carrying where needed.`
    return x < 0.95 ? `<think>\n${think}\n</think>\n<answer>\n${ans}\n</answer>` : `${think} The answer is \\boxed{${ans}}.`
  })
  return { id: `p${i}`, prompt: `Compute ${a} + ${b}.`, reference: { type: 'math', answer: String(a + b) }, completions, category: ['small', 'medium', 'large'][a % 3] }
}

async function writeGroups (path: string, groups: number): Promise<void> {
  const r = rng(7)
  const out = createWriteStream(path)
  for (let i = 0; i < groups; i++) {
    if (!out.write(`${JSON.stringify(mathGroup(i, r))}\n`)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'close')
}

interface CliRun { wallS: number, summary: { samples: number, seconds: number, samples_per_second: number, peak_rss_mb: number } }

async function runCli (inPath: string, outPath: string, threads: number, nodeFlags: string[] = []): Promise<CliRun> {
  rmSync(outPath, { force: true })
  const t0 = performance.now()
  const child = spawn(process.execPath, [...nodeFlags, join(root, 'bin/reward-verifier.js'), 'score', '--in', inPath, '--out', outPath, '--threads', String(threads), '--json-summary'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TEXT_THREADS: '0' } })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const [code] = await once(child, 'close') as [number]
  if (code !== 0) throw new Error(`score exited ${code}: ${stderr}`)
  return { wallS: (performance.now() - t0) / 1000, summary: JSON.parse(stdout) as CliRun['summary'] }
}

/** The in-process scorer over the same groups, batches of 32 with 4 in flight (the CLI's defaults). */
async function inProcess (groups: Group[], threads: number): Promise<number> {
  const math = createMathVerifier({ threads, deadlineMs: 2000 })
  const resources = createScoringResources(loadConfig(process.env), { math, mathThreads: threads, textThreads: 0 })
  await math.ready()
  const { scorer } = resources
  const batches: Group[][] = []
  for (let i = 0; i < groups.length; i += 32) batches.push(groups.slice(i, i + 32))
  try {
    const t0 = performance.now()
    let next = 0
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < batches.length) await scorer.score({ groups: batches[next++] ?? [] })
    }))
    return groups.reduce((n, g) => n + g.completions.length, 0) / ((performance.now() - t0) / 1000)
  } finally {
    await Promise.all([resources.close(), math.close()])
  }
}

export async function benchCli (groupsLarge = 10_000, rounds = 5): Promise<string> {
  const threads = loadConfig(process.env).MATH_THREADS
  const dir = mkdtempSync(join(tmpdir(), 'rwd-bench-cli-'))
  try {
    const small = join(dir, 'small.jsonl')
    const large = join(dir, 'large.jsonl')
    await writeGroups(small, groupsLarge / 10)
    await writeGroups(large, groupsLarge)
    const groups = readFileSync(large, 'utf8').trim().split('\n').map(l => JSON.parse(l) as Group)
    const samples = groups.length * 10
    // alternate the two paths so that load from other processes falls on both alike
    const base: number[] = []
    const cli: CliRun[] = []
    for (let i = 0; i < rounds; i++) {
      base.push(await inProcess(groups, threads))
      cli.push(await runCli(large, join(dir, 'large.out.jsonl'), threads))
    }
    groups.length = 0
    const cliSmall = await runCli(small, join(dir, 'small.out.jsonl'), threads)
    const capped = await runCli(large, join(dir, 'capped.out.jsonl'), threads, ['--max-old-space-size=64'])
    const mb = (p: string): string => (statSync(p).size / 1e6).toFixed(1)
    const b = median(base)
    const c = median(cli.map(r => r.summary.samples_per_second))
    // each round's CLI rate over the in-process rate measured just before it: load from other processes
    // drifts over a run, and a ratio of neighbours cancels most of it
    const ratio = median(cli.map((r, i) => r.summary.samples_per_second / (base[i] ?? NaN)))
    const wall = median(cli.map(r => r.wallS))
    const rss = median(cli.map(r => r.summary.peak_rss_mb))
    return [
      table(`Scoring ${samples.toLocaleString('en')} math samples (${groupsLarge.toLocaleString('en')} groups of 10, ${mb(large)} MB JSONL), ${threads} math thread(s), median of ${rounds} alternating rounds`,
        ['path', 'samples/s', 'vs in-process', 'target'], [
          ['in-process scorer, groups already in memory (batches of 32, 4 in flight)', Math.round(b), '100%', ''],
          ['CLI `score` JSONL → JSONL, scoring phase (its own timer, after the pool is up)', c, `${(ratio * 100).toFixed(0)}% (median of per-round ratios)`, '≥ 80%'],
          [`CLI end to end, incl. process and pool start (${wall.toFixed(1)} s wall)`, Math.round(samples / wall), `${(samples / wall / b * 100).toFixed(0)}%`, 'report']
        ]),
      table('CLI peak memory (RSS of the whole process, worker threads included)', ['input', 'samples', 'node flags', 'peak RSS (MB)', 'samples/s'], [
        [`${mb(small)} MB`, cliSmall.summary.samples, '', cliSmall.summary.peak_rss_mb, cliSmall.summary.samples_per_second],
        [`${mb(large)} MB`, samples, '', rss, c],
        [`${mb(large)} MB`, capped.summary.samples, '--max-old-space-size=64', capped.summary.peak_rss_mb, capped.summary.samples_per_second]
      ])
    ].join('\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  console.log(await benchCli(Number(process.argv[2] ?? 10_000)))
}

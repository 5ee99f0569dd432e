/**
 * `reward-verifier score`: scores a JSONL file of groups (one /v1/score group per line) into a JSONL file of
 * scored groups, in input order, in-process or against a running service. See usage below.
 */
import { Type } from 'typebox'
import { RewardsOptionsSchema, AdvantageOptionsSchema, type RewardsOptions, type AdvantageOptions } from '../scoring/schema.ts'
import { loadConfig } from '../config/load.ts'
import { parse, str, required, int, jsonOption, readText, UsageError } from './args.ts'
import { runScore, type ScoreRunOptions } from './score-run.ts'

export const scoreUsage = `usage: reward-verifier score --in samples.jsonl --out scored.jsonl [options]

Each input line is one group as POST /v1/score takes it: {"id", "prompt"?, "reference", "completions", ...}.
Each output line is that group plus "results", "advantages", "stats", "reward_version" and "config_hash",
in input order. Rerunning the same command resumes: groups whose ids are already in --out are skipped.

options:
  --in FILE             input JSONL (required)
  --out FILE            output JSONL (required; appended to when resuming)
  --url URL             score with a running service (POST URL/v1/score) instead of in-process
  --concurrency N       batches in flight (default 4)
  --batch-size N        groups per batch (default 32)
  --threads N           math worker threads, in-process only (default MATH_THREADS)
  --rewards JSON        reward options, as "rewards" in /v1/score
  --advantages JSON     advantage options, as "advantages" in /v1/score
  --config FILE         a JSON file {"rewards": ..., "advantages": ...} (the two options above override it)
  --allow-bad-lines     exit 0 even when malformed lines were left out (they are still reported)
  --progress-every S    seconds between progress lines when stderr is not a terminal (default 10)
  --json-summary        print the summary as JSON on stdout as well

exit status: 0 done; 1 malformed lines (unless --allow-bad-lines) or a failure (rerun to resume);
2 usage error; 130 interrupted (rerun to resume).
`

const ConfigFileSchema = Type.Object({
  rewards: Type.Optional(RewardsOptionsSchema),
  advantages: Type.Optional(AdvantageOptionsSchema)
}, { additionalProperties: false })

export function parseScoreArgs (argv: string[], env: NodeJS.ProcessEnv = process.env): ScoreRunOptions {
  const v = parse(argv, {
    in: { type: 'string' },
    out: { type: 'string' },
    url: { type: 'string' },
    concurrency: { type: 'string' },
    'batch-size': { type: 'string' },
    threads: { type: 'string' },
    rewards: { type: 'string' },
    advantages: { type: 'string' },
    config: { type: 'string' },
    'allow-bad-lines': { type: 'boolean' },
    'progress-every': { type: 'string' },
    'json-summary': { type: 'boolean' }
  })
  let rewards: RewardsOptions | undefined
  let advantages: AdvantageOptions | undefined
  const configPath = str(v, 'config')
  if (configPath !== undefined) {
    const file = jsonOption(readText(configPath, '--config'), ConfigFileSchema, `--config ${configPath}`)
    rewards = file.rewards
    advantages = file.advantages
  }
  const r = str(v, 'rewards')
  if (r !== undefined) rewards = jsonOption(r, RewardsOptionsSchema, '--rewards')
  const a = str(v, 'advantages')
  if (a !== undefined) advantages = jsonOption(a, AdvantageOptionsSchema, '--advantages')
  const url = str(v, 'url')
  if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be an http(s) URL (got '${url}')`)
  const inPath = required(v, 'in')
  const outPath = required(v, 'out')
  if (inPath === outPath) throw new UsageError('--in and --out must be different files')
  const config = url === undefined ? loadConfig(env) : undefined
  return {
    inPath,
    outPath,
    url,
    concurrency: int(v, 'concurrency', 4, 1, 1024),
    batchSize: int(v, 'batch-size', 32, 1, 4096),
    config,
    threads: int(v, 'threads', config?.MATH_THREADS ?? 1, 1, 256),
    textThreads: config?.TEXT_THREADS ?? 0,
    rewards,
    advantages,
    allowBadLines: v['allow-bad-lines'] === true,
    progressEverySeconds: int(v, 'progress-every', 10, 1, 86_400),
    jsonSummary: v['json-summary'] === true
  }
}

export async function scoreCommand (argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(scoreUsage); return 0 }
  let opts: ScoreRunOptions
  try {
    opts = parseScoreArgs(argv)
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof Error && 'code' in err)) throw err
    process.stderr.write(`reward-verifier score: ${(err as Error).message}\n\n${scoreUsage}`)
    return 2
  }
  return await runScore(opts, { stderr: process.stderr, stdout: process.stdout })
}

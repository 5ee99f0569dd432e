/**
 * The BullMQ processor of a rollout: score its groups in chunks (progress after each), compute advantages
 * over the whole rollout, publish every group whole to the run's lease store in chunks (each published
 * once: lease-store.ts), wait until a replica holds them (WAIT, on clusters), return the reply of /v1/score
 * as the job's result.
 *
 * Retry semantics: a payload that cannot be scored as given is an UnrecoverableError (never retried); any
 * other failure (Redis away, a verifier pool fault) is a plain Error and retries with backoff. A rollout
 * scored twice (its worker died after publishing, or between chunks) publishes only what was not published,
 * so trainers see each group once. Advantages that are not finite (eps 0 over an all-equal group) are
 * never published: an UnrecoverableError names the cause. On shutdown past the grace period the signal aborts and the job goes back to waiting.
 */
import { setMaxListeners } from 'node:events'
import { UnrecoverableError, WaitingError, type Job, type Processor } from 'bullmq'
import type { Scorer } from '../scoring/scorer.ts'
import { Value } from 'typebox/value'
import { ScoreRequestSchema, type ScoreReply, type GroupResult } from '../scoring/schema.ts'
import { resolveOptions } from '../scoring/options.ts'
import { batchAdvantages } from '../grpo/advantages.ts'
import { publishChunks, type LeaseStore, type PublishedGroup } from './lease-store.ts'
import type { RedisClient } from './redis.ts'
import { finiteAdvantages } from './limits.ts'
import type { QueueMetrics } from './metrics.ts'
import type { RolloutJobData, RolloutProgress } from './types.ts'
import { restoreTestTexts } from './numbers.ts'

export interface ProcessorDeps {
  scorer: Scorer
  store: LeaseStore
  /** The connection publishes go through (the worker's: it waits out a Redis restart). */
  client: RedisClient
  metrics?: QueueMetrics
  /** Resolves once the replicas hold what was written to `key`'s node (WAIT); rejects otherwise (retried). */
  confirm?: (key: string) => Promise<void>
}

export function createProcessor (deps: ProcessorDeps): Processor<RolloutJobData, ScoreReply> {
  return async (job, token, signal) => {
    const t0 = performance.now()
    // The scorer listens on the signal once per group in flight (64+ per chunk): not a leak.
    if (signal !== undefined) setMaxListeners(0, signal)
    const data = checkData(job)
    const reply = await scoreInChunks(deps.scorer, job, data, signal)
    if (aborted(signal)) return await giveBack(job, token)
    const bad = reply.groups.findIndex(g => !finiteAdvantages(g.advantages))
    if (bad >= 0) throw new UnrecoverableError(`group ${bad} (${JSON.stringify(reply.groups[bad]?.id)}) has advantages that are not finite numbers (advantages.eps must be > 0)`)
    const groups = toPublished(job.id ?? '', data, reply)
    const chunks = publishChunks(data.request.groups.map(g => g.completions.reduce((n, c) => n + c.length, 0) + (g.prompt?.length ?? 0)))
    let n = 0
    for (const [chunk, [from, to]] of chunks.entries()) {
      const published = await deps.store.publish(deps.client, data.run, job.id ?? '', chunk, groups.slice(from, to))
      if (published > 0) n += published
    }
    await deps.confirm?.(deps.store.publishedKey(data.run, job.id ?? ''))
    if (n > 0) {
      deps.metrics?.groupsPublished.inc({ run: data.run }, n)
      deps.metrics?.scoredLatency.observe((Date.now() - job.timestamp) / 1000)
    }
    deps.metrics?.jobDuration.observe((performance.now() - t0) / 1000)
    return reply
  }
}

const aborted = (signal?: AbortSignal): boolean => signal?.aborted === true

function checkData (job: Job<RolloutJobData>): RolloutJobData {
  const d = job.data as Partial<RolloutJobData> | undefined
  const groups = d?.request?.groups
  if (d === undefined || typeof d.id !== 'string' || typeof d.run !== 'string' || !Array.isArray(groups) || groups.length === 0 ||
    !groups.every(g => typeof g?.id === 'string' && Array.isArray(g.completions) && g.reference !== undefined)) {
    throw new UnrecoverableError('malformed rollout job: expected {id, run, request: {groups: [{id, reference, completions}]}}')
  }
  // numbers of code tests as the client wrote them (the JSON round trip through Redis lost them)
  const bad = restoreTestTexts(groups, d.tests_text)
  if (bad >= 0) throw new UnrecoverableError(`malformed rollout job: tests_text/${bad} is not the lossless text of a code reference's tests`)
  // the same schema as POST /v1/score and /v1/rollouts (eps, weights, bounds): a job written to the queue by
  // anything but the API is held to it too
  if (!Value.Check(ScoreRequestSchema, d.request)) {
    const first = Value.Errors(ScoreRequestSchema, d.request)[0]
    throw new UnrecoverableError(`malformed rollout job: request${first?.instancePath ?? ''} ${first?.message ?? 'does not match the score request schema'}`)
  }
  return d as RolloutJobData
}

async function scoreInChunks (scorer: Scorer, job: Job<RolloutJobData>, data: RolloutJobData, signal?: AbortSignal): Promise<ScoreReply> {
  const { groups, rewards, advantages } = data.request
  const size = Math.max(64, Math.ceil(groups.length / 20))
  const out: GroupResult[] = []
  let last: ScoreReply | undefined
  for (let i = 0; i < groups.length; i += size) {
    if (aborted(signal)) break
    try {
      last = await scorer.score({ groups: groups.slice(i, i + size), rewards, advantages }, signal)
    } catch (err) {
      if (aborted(signal)) break
      if (/^unsupported reference type/.test((err as Error).message)) throw new UnrecoverableError((err as Error).message)
      throw err
    }
    out.push(...last.groups)
    if (groups.length > size) await job.updateProgress({ scored: out.length, total: groups.length } satisfies RolloutProgress)
  }
  const options = resolveOptions(rewards, advantages)
  if (options.advantages.scale === 'batch' && out.length > size) {
    // Batch scaling uses the std over the whole rollout, not over one chunk.
    const { advantages: adv } = batchAdvantages(out.map(g => g.results.map(r => r.reward)), 'batch', options.advantages.eps)
    out.forEach((g, i) => { g.advantages = adv[i] ?? g.advantages })
  }
  return { groups: out, reward_version: last?.reward_version ?? '', config_hash: last?.config_hash ?? '' }
}

async function giveBack (job: Job<RolloutJobData>, token?: string): Promise<never> {
  await job.moveToWait(token)
  throw new WaitingError()
}

function toPublished (jobId: string, data: RolloutJobData, reply: ScoreReply): PublishedGroup[] {
  return reply.groups.map((g, i) => {
    const input = data.request.groups[i]
    return {
      key: `${jobId}:${i}`,
      policyVersion: data.policy_version,
      json: JSON.stringify({
        id: g.id,
        rollout_id: data.id,
        prompt: input?.prompt,
        completions: input?.completions ?? [],
        results: g.results,
        advantages: g.advantages,
        stats: g.stats,
        policy_version: data.policy_version,
        metadata: g.metadata,
        reward_version: reply.reward_version,
        config_hash: reply.config_hash
      })
    }
  })
}

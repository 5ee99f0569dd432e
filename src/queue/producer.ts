/**
 * The producer side of the rollout queue: submit (idempotent on the client's id, capped in depth) and read a
 * rollout's state, progress and result without loading its (possibly 64 MB) payload.
 * Rollouts are spread over QUEUE_PARTITIONS BullMQ queues by a hash of their id (the same id, the same
 * partition). Fair order across runs: a rollout's BullMQ priority is the number of its run's rollouts
 * accepted and not yet finished (<prefix>:pending), so a run that queued a thousand rollouts does not
 * put its thousandth ahead of another run's first: runs are served round-robin, whatever they queued.
 */
import { losslessJson } from '../rewards/code/lossless.ts'
import { testTexts } from './numbers.ts'
import { Queue, type JobsOptions } from 'bullmq'
import type { Config } from '../config/schema.ts'
import { errors, withField } from '../errors.ts'
import { sha256Hex } from '../lib/hash.ts'
import type { RolloutRequest } from './schemas.ts'
import { KeySpace, QUEUE_NAME, jobIdOf } from './names.ts'
import type { RedisClient, RedisLink } from './redis.ts'
import type { RolloutJobData, RolloutProgress } from './types.ts'
import { metadataTooDeep } from './limits.ts'

/** BullMQ's largest priority. */
const MAX_PRIORITY = 2_097_151

/** Replicas a write must reach before it is confirmed: REDIS_WAIT_REPLICAS, or its automatic value. */
export function waitReplicas (config: Config, link: RedisLink): number {
  return config.REDIS_WAIT_REPLICAS === -1 ? (link.cluster ? 1 : 0) : config.REDIS_WAIT_REPLICAS
}

/** Resolves when the rollout's job may have finished (a notification) or after ms. */
export type DoneWaiter = (jobId: string, ms: number) => Promise<void>

/** Job states that count against QUEUE_MAX_DEPTH: accepted but not yet scored. */
const PENDING = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const

export type SubmitOutcome = 'created' | 'duplicate'

export class RolloutProducer {
  private queues: Queue[] | undefined

  constructor (private readonly link: RedisLink, private readonly keys: KeySpace, private readonly config: Config, private readonly waitDone?: DoneWaiter) {}

  /** The BullMQ queues (one per partition), created once Redis first answers (BullMQ's own start-up would otherwise wait forever). */
  async getQueues (): Promise<{ queues: Queue[], client: RedisClient }> {
    const client = await this.link.require()
    if (this.queues === undefined) {
      this.queues = this.keys.partitions.map(prefix => {
        const q = new Queue<RolloutJobData>(QUEUE_NAME, { connection: client, prefix })
        q.on('error', () => {}) // connection errors surface per call as 503
        return q
      })
    }
    return { queues: this.queues, client }
  }

  async queueOf (rolloutId: string): Promise<{ queue: Queue, client: RedisClient }> {
    const { queues, client } = await this.getQueues()
    return { queue: queues[this.keys.partitionOf(rolloutId)]!, client }
  }

  /** Rollouts accepted and not yet scored, over every partition. */
  async depth (): Promise<number> {
    const { queues } = await this.getQueues()
    const counts = await Promise.all(queues.map(async q => await q.getJobCountByTypes(...PENDING)))
    return counts.reduce((a, b) => a + b, 0)
  }

  async submit (body: RolloutRequest): Promise<SubmitOutcome> {
    body.groups.forEach((g, gi) => {
      if (metadataTooDeep(g.metadata, this.config.METADATA_MAX_DEPTH)) {
        throw withField(new errors.RequestInvalid(`/groups/${gi}/metadata is nested deeper than METADATA_MAX_DEPTH (${this.config.METADATA_MAX_DEPTH})`), `/groups/${gi}/metadata`)
      }
    })
    const { queue, client } = await this.queueOf(body.id)
    const json = losslessJson(body) // 5 and 5.0 in a test are different bodies
    const stamp = `${sha256Hex(json)} ${body.groups.length}`
    const jobId = jobIdOf(body.id)
    const idemKey = this.keys.idem(body.id)
    const jobKey = this.keys.job(body.id)
    const previous = await client.get(idemKey)
    if (previous !== null) {
      if (previous !== stamp) throw new errors.RolloutConflict(JSON.stringify(body.id))
      if (await client.exists(jobKey) === 1) {
        // a retry of a 202 that may not have reached the replicas (WAIT timed out): confirm it now
        await this.replicated(idemKey, jobKey)
        return 'duplicate'
      }
      // Bound to this body but the job is gone (retention passed, or the first add never landed): add it
      // again. Its groups were published at most once already (the published marker), so none is repeated.
    } else {
      const depth = await this.depth()
      if (depth >= this.config.QUEUE_MAX_DEPTH) {
        const retryAfter = this.config.QUEUE_RETRY_AFTER_S
        throw Object.assign(new errors.QueueFull(depth, this.config.QUEUE_MAX_DEPTH, retryAfter), { retryAfter })
      }
      const set = await client.set(idemKey, stamp, 'EX', this.config.ROLLOUT_IDEMPOTENCY_TTL_S, 'NX')
      if (set === null) return await this.submit(body) // lost a race with the same id: judge it as a repeat
    }
    const run = body.run ?? 'default'
    const data: RolloutJobData = {
      id: body.id,
      run,
      policy_version: body.policy_version ?? null,
      total: body.groups.length,
      request: { groups: body.groups, rewards: body.rewards, advantages: body.advantages }
    }
    const texts = testTexts(body.groups)
    if (texts.length > 0) data.tests_text = texts
    const queued = await client.hincrby(this.keys.pending(), run, 1)
    await queue.add('score', data, { ...this.jobOptions(jobId), priority: Math.min(Math.max(1, queued), MAX_PRIORITY) })
    await this.replicated(idemKey, jobKey)
    return previous === null ? 'created' : 'duplicate'
  }

  /** WAIT until the replicas hold the rollout's id binding and its job (on a cluster: two nodes, maybe). */
  private async replicated (...keys: string[]): Promise<void> {
    const n = waitReplicas(this.config, this.link)
    await Promise.all(keys.map(async k => { await this.link.replicated(k, n, this.config.REDIS_WAIT_TIMEOUT_MS) }))
  }

  jobOptions (jobId: string): JobsOptions {
    const age = this.config.ROLLOUT_RETENTION_S
    return {
      jobId,
      attempts: this.config.JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.JOB_BACKOFF_MS },
      removeOnComplete: { age },
      removeOnFail: { age }
    }
  }

  /** The rollout's status as the JSON text of RolloutStatusSchema (the result spliced in unparsed), or null. */
  async status (id: string, waitMs = 0): Promise<string | null> {
    const { queue, client } = await this.queueOf(id)
    const stamp = await client.get(this.keys.idem(id))
    if (stamp === null) return null
    const jobId = jobIdOf(id)
    const deadline = Date.now() + waitMs
    let state = await queue.getJobState(jobId)
    const settled = (): boolean => state === 'completed' || state === 'failed' || state === 'unknown'
    // Long-poll: sleep until the worker announces the rollout finished (pub/sub, one subscriber per process),
    // re-reading the state on each announcement and every 5 s at most (an announcement lost in a reconnect).
    while (!settled() && Date.now() < deadline) {
      const left = deadline - Date.now()
      if (this.waitDone === undefined) await new Promise(resolve => setTimeout(resolve, Math.min(250, left)))
      else await this.waitDone(jobId, Math.min(5000, left))
      state = await queue.getJobState(jobId)
    }
    if (state === 'unknown') return null
    const fields = ['progress', 'atm', 'failedReason', ...(state === 'completed' ? ['returnvalue'] : [])]
    const [progress, atm, failedReason, returnvalue] = await client.hmget(this.keys.job(id), ...fields)
    const total = Number(stamp.split(' ')[1] ?? 0)
    const p = parseProgress(progress, total, state === 'completed')
    const out: Record<string, unknown> = {
      id,
      state: state === 'completed' || state === 'failed' || state === 'active' ? state : 'waiting',
      progress: p,
      attempts: Number(atm ?? 0)
    }
    if (failedReason !== null && failedReason !== undefined && failedReason !== '') out.error = failedReason
    const head = JSON.stringify(out)
    return returnvalue === null || returnvalue === undefined ? head : `${head.slice(0, -1)},"result":${returnvalue}}`
  }

  async close (): Promise<void> {
    await Promise.all((this.queues ?? []).map(async q => { await q.close().catch(() => {}) }))
  }
}

function parseProgress (raw: string | null | undefined, total: number, done: boolean): RolloutProgress {
  if (done) return { scored: total, total }
  try {
    const p = JSON.parse(raw ?? '') as Partial<RolloutProgress>
    if (typeof p.scored === 'number') return { scored: p.scored, total }
  } catch {}
  return { scored: 0, total }
}

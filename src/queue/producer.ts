/**
 * The producer side of the rollout queue: submit (idempotent on the client's id, capped in depth) and read a
 * rollout's state, progress and result without loading its (possibly 64 MB) payload.
 */
import { Queue, type JobsOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Config } from '../config/schema.ts'
import { errors } from '../errors.ts'
import { sha256Hex } from '../lib/hash.ts'
import type { RolloutRequest } from '../http/schemas/queue.ts'
import { KeySpace, QUEUE_NAME, jobIdOf } from './names.ts'
import type { RedisLink } from './redis.ts'
import type { RolloutJobData, RolloutProgress } from './types.ts'

/** Job states that count against QUEUE_MAX_DEPTH: accepted but not yet scored. */
const PENDING = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const

export type SubmitOutcome = 'created' | 'duplicate'

export class RolloutProducer {
  private queue: Queue | undefined

  constructor (private readonly link: RedisLink, private readonly keys: KeySpace, private readonly config: Config) {}

  /** The BullMQ queue, created once Redis first answers (BullMQ's own start-up would otherwise wait forever). */
  async getQueue (): Promise<{ queue: Queue, client: Redis }> {
    const client = await this.link.require()
    if (this.queue === undefined) {
      this.queue = new Queue<RolloutJobData>(QUEUE_NAME, { connection: client, prefix: this.keys.prefix })
      this.queue.on('error', () => {}) // connection errors surface per call as 503
    }
    return { queue: this.queue, client }
  }

  async depth (queue: Queue): Promise<number> {
    return await queue.getJobCountByTypes(...PENDING)
  }

  async submit (body: RolloutRequest): Promise<SubmitOutcome> {
    const { queue, client } = await this.getQueue()
    const json = JSON.stringify(body)
    const stamp = `${sha256Hex(json)} ${body.groups.length}`
    const jobId = jobIdOf(body.id)
    const idemKey = this.keys.idem(body.id)
    const previous = await client.get(idemKey)
    if (previous !== null) {
      if (previous !== stamp) throw new errors.RolloutConflict(JSON.stringify(body.id))
      if (await client.exists(this.keys.job(jobId)) === 1) return 'duplicate'
      // Bound to this body but the job is gone (retention passed, or the first add never landed): add it
      // again. Its groups were published at most once already (the published marker), so none is repeated.
    } else {
      const depth = await this.depth(queue)
      if (depth >= this.config.QUEUE_MAX_DEPTH) {
        const retryAfter = this.config.QUEUE_RETRY_AFTER_S
        throw Object.assign(new errors.QueueFull(depth, this.config.QUEUE_MAX_DEPTH, retryAfter), { retryAfter })
      }
      const set = await client.set(idemKey, stamp, 'EX', this.config.ROLLOUT_IDEMPOTENCY_TTL_S, 'NX')
      if (set === null) return await this.submit(body) // lost a race with the same id: judge it as a repeat
    }
    const data: RolloutJobData = {
      id: body.id,
      run: body.run ?? 'default',
      policy_version: body.policy_version ?? null,
      total: body.groups.length,
      request: { groups: body.groups, rewards: body.rewards, advantages: body.advantages }
    }
    await queue.add('score', data, this.jobOptions(jobId))
    return previous === null ? 'created' : 'duplicate'
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
    const { queue, client } = await this.getQueue()
    const stamp = await client.get(this.keys.idem(id))
    if (stamp === null) return null
    const jobId = jobIdOf(id)
    const deadline = Date.now() + waitMs
    let state = await queue.getJobState(jobId)
    const settled = (): boolean => state === 'completed' || state === 'failed' || state === 'unknown'
    for (let pause = 20; !settled() && Date.now() < deadline; pause = Math.min(pause * 1.5, 250)) {
      await new Promise(resolve => setTimeout(resolve, Math.min(pause, Math.max(1, deadline - Date.now()))))
      state = await queue.getJobState(jobId)
    }
    if (state === 'unknown') return null
    const fields = ['progress', 'atm', 'failedReason', ...(state === 'completed' ? ['returnvalue'] : [])]
    const [progress, atm, failedReason, returnvalue] = await client.hmget(this.keys.job(jobId), ...fields)
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
    await this.queue?.close().catch(() => {})
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

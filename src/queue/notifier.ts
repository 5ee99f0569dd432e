/**
 * Wakes long-polls without polling Redis: one subscriber connection per process (made on the first wait)
 * pattern-subscribes to every run's channel (the publish script PUBLISHes there when groups become
 * leasable, settle when groups come back) and to the rollouts' done channel (a worker PUBLISHes a job id
 * when its rollout finished). Waiters sleep until their message or their timer: an idle long-poll costs no
 * Redis command. Waiters re-check now and then, so a message lost in a reconnect costs latency, never a group.
 * On a Redis Cluster, ioredis subscribes on one node; PUBLISH reaches every node's subscribers.
 */
import type { RedisClient } from './redis.ts'
import { KeySpace } from './names.ts'

export class Notifier {
  private sub: RedisClient | undefined
  private readonly runs = new Map<string, Set<() => void>>()
  private readonly jobs = new Map<string, Set<() => void>>()

  constructor (private readonly duplicate: () => RedisClient, private readonly keys: KeySpace) {}

  /** Resolves when `run` gets leasable groups or after `ms`, whichever is first. */
  async waitRun (run: string, ms: number): Promise<void> { await this.wait(this.runs, run, ms) }

  /** Resolves when the rollout job `jobId` finished or after `ms`, whichever is first. */
  async waitJob (jobId: string, ms: number): Promise<void> { await this.wait(this.jobs, jobId, ms) }

  /** Long-polls waiting now (for tests and metrics). */
  get waiting (): number {
    let n = 0
    for (const m of [this.runs, this.jobs]) for (const s of m.values()) n += s.size
    return n
  }

  private async wait (map: Map<string, Set<() => void>>, key: string, ms: number): Promise<void> {
    this.subscribe()
    await new Promise<void>(resolve => {
      let set = map.get(key)
      if (set === undefined) map.set(key, set = new Set())
      const s = set
      const done = (): void => {
        clearTimeout(timer)
        s.delete(done)
        if (s.size === 0) map.delete(key)
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, ms))
      s.add(done)
    })
  }

  private wake (map: Map<string, Set<() => void>>, key: string): void {
    for (const wake of [...(map.get(key) ?? [])]) wake()
  }

  private subscribe (): void {
    if (this.sub !== undefined) return
    const sub = this.duplicate()
    sub.on('error', () => {})
    sub.on('pmessage', (_pattern: string, channel: string) => {
      const run = this.keys.runOfChannel(channel)
      if (run !== null) this.wake(this.runs, run)
    })
    sub.on('message', (channel: string, message: string) => {
      if (channel === this.keys.doneChannel()) this.wake(this.jobs, message)
    })
    sub.psubscribe(this.keys.runChannelPattern()).catch(() => {})
    sub.subscribe(this.keys.doneChannel()).catch(() => {})
    this.sub = sub
  }

  close (): void {
    for (const m of [this.runs, this.jobs]) for (const set of m.values()) for (const wake of [...set]) wake()
    this.sub?.disconnect()
  }
}

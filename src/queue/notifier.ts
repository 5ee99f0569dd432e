/**
 * Wakes long-polling lease calls when a run gets new groups (the publish script PUBLISHes on the run's
 * channel), so a waiting trainer sees a group within milliseconds instead of at its next poll. One
 * pattern subscription per process, made on the first wait; waiters still poll, so a lost message or a
 * Redis restart only costs latency, never a group.
 */
import { Redis } from 'ioredis'

export class Notifier {
  private sub: Redis | undefined
  private readonly waiters = new Map<string, Set<() => void>>()

  constructor (private readonly url: string, private readonly prefix: string) {}

  /** Resolves when `run` gets new groups or after `ms`, whichever is first. */
  async wait (run: string, ms: number): Promise<void> {
    this.subscribe()
    await new Promise<void>(resolve => {
      let set = this.waiters.get(run)
      if (set === undefined) this.waiters.set(run, set = new Set())
      const s = set
      const done = (): void => {
        clearTimeout(timer)
        s.delete(done)
        if (s.size === 0) this.waiters.delete(run)
        resolve()
      }
      const timer = setTimeout(done, ms)
      s.add(done)
    })
  }

  private subscribe (): void {
    if (this.sub !== undefined) return
    const sub = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: null, connectionName: 'rwd-notify', retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000) })
    sub.on('error', () => {})
    const head = `${this.prefix}:run:`
    sub.on('pmessage', (_pattern: string, channel: string) => {
      if (!channel.startsWith(head) || !channel.endsWith(':notify')) return
      const run = channel.slice(head.length, -':notify'.length)
      for (const wake of [...(this.waiters.get(run) ?? [])]) wake()
    })
    sub.psubscribe(`${head}*:notify`).catch(() => {})
    this.sub = sub
  }

  close (): void {
    for (const set of this.waiters.values()) for (const wake of [...set]) wake()
    this.sub?.disconnect()
  }
}

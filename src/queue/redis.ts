/**
 * One Redis connection with the failure behaviour each side needs.
 *  - api: commands never queue while Redis is away (enableOfflineQueue false), so a request answers 503 at
 *    once instead of hanging; the first use waits at most REDIS_CONNECT_TIMEOUT_MS for a connection.
 *  - worker: commands wait for the reconnect (BullMQ needs maxRetriesPerRequest null); a worker rides out a
 *    Redis restart and carries on.
 * Both reconnect forever with a delay capped at 2 s. Nothing connects until start() or the first use, so an
 * app that never touches the queue never opens a connection.
 */
import { Redis } from 'ioredis'
import { errors } from '../errors.ts'

export type LinkRole = 'api' | 'worker'

export interface RedisLinkOptions {
  url: string
  connectTimeoutMs: number
  role: LinkRole
  name?: string
}

export class RedisLink {
  readonly client: Redis
  /** The Redis URL with any password replaced by ***, for messages and logs. */
  readonly where: string
  private lastError = 'not connected yet'
  private started = false
  private everReady = false

  constructor (private readonly opts: RedisLinkOptions) {
    this.where = redactUrl(opts.url)
    this.client = new Redis(opts.url, {
      // The worker connects at once: BullMQ duplicates this client for its blocking connection, and a lazy
      // duplicate that fails its first connect() would leave the worker dead instead of waiting for Redis.
      lazyConnect: opts.role === 'api',
      connectionName: opts.name,
      connectTimeout: opts.connectTimeoutMs,
      enableOfflineQueue: opts.role === 'worker',
      maxRetriesPerRequest: opts.role === 'worker' ? null : 1,
      commandTimeout: opts.role === 'api' ? 30_000 : undefined,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000)
    })
    this.client.on('error', (err: Error) => { this.lastError = err.message })
    this.client.on('ready', () => { this.everReady = true; this.lastError = 'connection lost' })
  }

  /** Begins connecting (once); reconnects forever after that. */
  start (): void {
    if (this.started) return
    this.started = true
    if (this.client.status === 'wait') this.client.connect().catch(() => {}) // the retry strategy keeps trying; 'error' records why
  }

  get ready (): boolean { return this.client.status === 'ready' }

  /** The client when Redis answers; otherwise 503 RWD_ERR_QUEUE_UNAVAILABLE naming the Redis, without hanging. */
  async require (): Promise<Redis> {
    this.start()
    if (this.ready) return this.client
    // Only the very first connection attempt is waited for (bounded); a Redis that went away answers 503 at once.
    if (!this.everReady && (this.client.status === 'connecting' || this.client.status === 'connect' || this.client.status === 'wait')) {
      await this.waitReady(this.opts.connectTimeoutMs)
      if (this.ready) return this.client
    }
    throw this.unavailable()
  }

  unavailable (reason?: string): Error {
    return new errors.QueueUnavailable(this.where, reason ?? `${this.client.status}: ${this.lastError}`)
  }

  /** 'ok', or why not (for /readyz). Bounded by the connect timeout. */
  async check (): Promise<string> {
    try {
      const c = await this.require()
      const pong = await withTimeout(c.ping(), this.opts.connectTimeoutMs)
      return pong === 'PONG' ? 'ok' : `unexpected reply ${String(pong)}`
    } catch (err) {
      return `unavailable: ${(err as Error).message}`
    }
  }

  async waitReady (ms: number): Promise<void> {
    if (this.ready) return
    await new Promise<void>(resolve => {
      const done = (): void => { clearTimeout(timer); this.client.off('ready', done); resolve() }
      const timer = setTimeout(done, ms)
      this.client.once('ready', done)
    })
  }

  async close (): Promise<void> {
    if (this.client.status === 'end') return
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect())
    } else {
      this.client.disconnect()
    }
  }
}

/** True for errors that mean Redis is not reachable (as opposed to a script or data error). */
export function isConnectionError (err: unknown): boolean {
  const m = (err as Error | undefined)?.message ?? ''
  return /enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Command timed out|Stream isn't writeable|max retries per request/i.test(m)
}

export function redactUrl (url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString().replace(/\/$/, '')
  } catch {
    return '(unparsable REDIS_URL)'
  }
}

async function withTimeout<T> (p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([p, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no reply in ${ms} ms`)), ms) })])
  } finally {
    clearTimeout(timer)
  }
}

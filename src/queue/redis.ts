/**
 * One Redis connection (a single Redis, or a Redis Cluster through ioredis's Cluster client) with the
 * failure behaviour each side needs.
 *  - api: commands never queue while Redis is away (enableOfflineQueue false), so a request answers 503 at
 *    once instead of hanging; the first use waits at most REDIS_CONNECT_TIMEOUT_MS for a connection.
 *    On a cluster, ioredis parks a command whose slot is moving (failover) and retries it for a few seconds
 *    (CLUSTERDOWN / TRYAGAIN / MOVED), so a request waits out a failover or answers 503.
 *  - worker: commands wait for the reconnect (BullMQ needs maxRetriesPerRequest null); a worker rides out a
 *    Redis restart or a failover and carries on.
 * Both reconnect forever with a delay capped at 2 s. Nothing connects until start() or the first use, so an
 * app that never touches the queue never opens a connection.
 * REDIS_URL `redis+cluster://[user:pass@]host1:port1,host2:port2,...` names a cluster's seed nodes;
 * `redis://` and `rediss://` a single Redis. replicated() is the WAIT that makes a write survive a failover.
 */
import { Redis, Cluster, type RedisOptions } from 'ioredis'
import { errors } from '../errors.ts'
import { slotOf } from './slots.ts'

export type LinkRole = 'api' | 'worker'

/** A single Redis or a cluster: both speak the same commands (a cluster routes each by its key's slot). */
export type RedisClient = Redis | Cluster

export interface RedisLinkOptions {
  url: string
  connectTimeoutMs: number
  role: LinkRole
  name?: string
}

export interface ClusterUrl { nodes: Array<{ host: string, port: number }>, username?: string, password?: string }

/** Parses `redis+cluster://[user:pass@]h1:p1,h2:p2`; null for any other URL. Throws on a malformed cluster URL. */
export function parseClusterUrl (url: string): ClusterUrl | null {
  if (!url.startsWith('redis+cluster://')) return null
  let rest = url.slice('redis+cluster://'.length).replace(/\/$/, '')
  let username: string | undefined
  let password: string | undefined
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    const auth = rest.slice(0, at)
    rest = rest.slice(at + 1)
    const colon = auth.indexOf(':')
    const user = colon >= 0 ? auth.slice(0, colon) : auth
    const pass = colon >= 0 ? auth.slice(colon + 1) : ''
    username = user === '' ? undefined : decodeURIComponent(user)
    password = pass === '' ? undefined : decodeURIComponent(pass)
  }
  const nodes = rest.split(',').map(hp => {
    const i = hp.lastIndexOf(':')
    const port = Number(hp.slice(i + 1))
    if (i <= 0 || !/^[0-9]+$/.test(hp.slice(i + 1)) || port < 1 || port > 65535) {
      throw new Error(`malformed REDIS_URL ${redactUrl(url)}: seed node "${hp}" is not host:port (expected redis+cluster://host:port,host:port,...)`)
    }
    return { host: hp.slice(0, i), port }
  })
  return { nodes, username, password }
}

/** A client for tools and tests: a Cluster for redis+cluster:// URLs, a Redis otherwise. */
export function connect (url: string, options: RedisOptions = {}): RedisClient {
  const c = parseClusterUrl(url)
  if (c === null) return new Redis(url, options)
  return new Cluster(c.nodes, {
    lazyConnect: options.lazyConnect,
    clusterRetryStrategy: typeof options.retryStrategy === 'function' ? options.retryStrategy : undefined,
    redisOptions: { ...options, username: c.username, password: c.password }
  })
}

export class RedisLink {
  readonly client: RedisClient
  readonly cluster: boolean
  /** The Redis URL with any password replaced by ***, for messages and logs. */
  readonly where: string
  private lastError = 'not connected yet'
  private started = false
  private everReady = false

  constructor (private readonly opts: RedisLinkOptions) {
    this.where = redactUrl(opts.url)
    const retryStrategy = (times: number): number => Math.min(50 * 2 ** Math.min(times, 6), 2000)
    const common = {
      connectionName: opts.name,
      connectTimeout: opts.connectTimeoutMs,
      commandTimeout: opts.role === 'api' ? 30_000 : undefined
    }
    const seeds = parseClusterUrl(opts.url)
    this.cluster = seeds !== null
    this.client = seeds === null
      ? new Redis(opts.url, {
        ...common,
        // The worker connects at once: BullMQ duplicates this client for its blocking connection, and a lazy
        // duplicate that fails its first connect() would leave the worker dead instead of waiting for Redis.
        lazyConnect: opts.role === 'api',
        enableOfflineQueue: opts.role === 'worker',
        maxRetriesPerRequest: opts.role === 'worker' ? null : 1,
        retryStrategy
      })
      : new Cluster(seeds.nodes, {
        lazyConnect: opts.role === 'api',
        clusterRetryStrategy: retryStrategy,
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        retryDelayOnTryAgain: 200,
        // a failover takes cluster-node-timeout plus an election: let a command follow it for ~10 s
        maxRedirections: 50,
        slotsRefreshTimeout: opts.connectTimeoutMs,
        redisOptions: { ...common, username: seeds.username, password: seeds.password, maxRetriesPerRequest: opts.role === 'worker' ? null : 2 }
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

  /**
   * Waits until `replicas` replicas hold every write this client sent so far to the node of `key` (WAIT),
   * at most `timeoutMs`; 503 when fewer confirm (the write may not survive a failover; every caller's retry
   * is idempotent). A no-op for replicas 0.
   */
  async replicated (key: string, replicas: number, timeoutMs: number): Promise<void> {
    if (replicas <= 0) return
    const acked = Number(await this.nodeOf(key).wait(replicas, timeoutMs))
    if (acked < replicas) throw this.unavailable(`WAIT: ${acked} of ${replicas} replica(s) confirmed the write within ${timeoutMs} ms`)
  }

  /** The connection that commands on `key` go through (on a cluster: the master that serves its slot). */
  nodeOf (key: string): Redis {
    const c = this.client
    if (!(c instanceof Cluster)) return c
    const owner = c.slots[slotOf(key)]?.[0]
    const node = c.nodes('master').find(n => `${n.options.host ?? ''}:${n.options.port ?? ''}` === owner)
    if (node === undefined) throw this.unavailable(`no master known for slot ${slotOf(key)}`)
    return node
  }

  /** The client when Redis answers; otherwise 503 RWD_ERR_QUEUE_UNAVAILABLE naming the Redis, without hanging. */
  async require (): Promise<RedisClient> {
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
  return /enableOfflineQueue|CLUSTERDOWN|TRYAGAIN|Failed to refresh slots|None of startup nodes|Too many Cluster redirections|Cluster isn't ready|Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Command timed out|Stream isn't writeable|max retries per request/i.test(m)
}

export function redactUrl (url: string): string {
  if (url.startsWith('redis+cluster://')) return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@').replace(/\/$/, '')
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

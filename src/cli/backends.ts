/**
 * Where `score` sends its batches: the in-process scorer (default) or a running service's POST /v1/score
 * (--url). A batch the service rejects as a client error (4xx) throws BatchRejected so the caller can find
 * the offending group; server errors and network failures are retried with backoff, then thrown.
 */
import type { Group, ScoreReply, RewardsOptions, AdvantageOptions } from '../scoring/schema.ts'
import type { Scorer } from '../scoring/scorer.ts'

export type ScoreBatch = (groups: Group[]) => Promise<ScoreReply>

export class BatchRejected extends Error {
  constructor (readonly status: number, message: string) { super(message) }
}

export function inProcessBackend (scorer: Scorer, rewards?: RewardsOptions, advantages?: AdvantageOptions): ScoreBatch {
  return async groups => await scorer.score({ groups, rewards, advantages })
}

export interface HttpBackendOptions {
  url: string
  rewards?: RewardsOptions
  advantages?: AdvantageOptions
  /** Attempts for a 5xx or a network failure (default 5). */
  attempts?: number
  /** Called before a retry, to tell the user. */
  onRetry?: (message: string) => void
}

/**
 * The service URL without userinfo, and the Authorization header: REWARD_VERIFIER_KEY as a bearer key, or the
 * URL's userinfo (http://rv:KEY@host) as Basic auth (fetch refuses URLs that carry credentials).
 */
export function authorizedEndpoint (base: string, path: string, env: NodeJS.ProcessEnv = process.env): { endpoint: string, headers: Record<string, string> } {
  const url = new URL(path, base)
  const headers: Record<string, string> = {}
  if (url.username !== '' || url.password !== '') {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
    url.username = ''
    url.password = ''
  } else if ((env.REWARD_VERIFIER_KEY ?? '') !== '') {
    headers.authorization = `Bearer ${env.REWARD_VERIFIER_KEY ?? ''}`
  }
  return { endpoint: url.toString(), headers }
}

export function httpBackend (opts: HttpBackendOptions): ScoreBatch {
  const { endpoint, headers } = authorizedEndpoint(opts.url, '/v1/score')
  const attempts = opts.attempts ?? 5
  return async groups => {
    const body = JSON.stringify({ groups, rewards: opts.rewards, advantages: opts.advantages })
    for (let attempt = 1; ; attempt++) {
      let failure: string
      let waitMs = 250 * 2 ** (attempt - 1)
      try {
        const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
        const text = await res.text()
        if (res.status === 200) return JSON.parse(text) as ScoreReply
        const message = errorMessage(res.status, text)
        if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new BatchRejected(res.status, message)
        failure = message
        const after = Number(res.headers.get('retry-after'))
        if (Number.isFinite(after) && after > 0) waitMs = Math.max(waitMs, after * 1000)
      } catch (err) {
        if (err instanceof BatchRejected) throw err
        failure = `${endpoint}: ${(err as Error).message}${causeOf(err)}`
      }
      if (attempt >= attempts) throw new Error(`${failure} (gave up after ${attempts} attempts)`)
      opts.onRetry?.(`${failure}; retrying in ${(waitMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${attempts})`)
      await new Promise(resolve => setTimeout(resolve, waitMs))
    }
  }
}

function errorMessage (status: number, text: string): string {
  try {
    const e = JSON.parse(text) as { code?: string, message?: string }
    return `HTTP ${status} ${e.code ?? ''}: ${e.message ?? text}`.replace(/ :/, ':')
  } catch {
    return `HTTP ${status}: ${text.slice(0, 200)}`
  }
}

function causeOf (err: unknown): string {
  const cause = (err as { cause?: { code?: string, message?: string } }).cause
  return cause === undefined ? '' : ` (${cause.code ?? cause.message ?? ''})`
}

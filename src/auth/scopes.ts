/**
 * Scopes of an API key:
 *   score            /v1/score, /v1/verify/*, /v1/eval, /get_reward
 *   rollouts:<run>   POST /v1/rollouts into <run>; GET /v1/rollouts/:id of rollouts submitted to <run>
 *   trainer:<run>    /v1/trainer/lease from <run>; ack / extend / nack of leases of <run>
 *   admin            the queue dashboard (/admin/queues) and its API, read-only listings included
 *   metrics          GET /metrics (unless METRICS_AUTH=false)
 * <run> may be `*` (every run).
 */
import { isRunName } from '../queue/names.ts'

export type Scope =
  | { kind: 'score' | 'admin' | 'metrics' }
  | { kind: 'rollouts' | 'trainer', run: string }

export type Access = 'open' | 'authenticated' | 'score' | 'admin' | 'metrics' | 'rollouts' | 'trainer'

export function parseScope (text: string): Scope | null {
  if (text === 'score' || text === 'admin' || text === 'metrics') return { kind: text }
  const m = /^(rollouts|trainer):(.+)$/.exec(text)
  if (m === null) return null
  const run = m[2] as string
  if (run !== '*' && !isRunName(run)) return null
  return { kind: m[1] as 'rollouts' | 'trainer', run }
}

export function formatScope (s: Scope): string {
  return 'run' in s ? `${s.kind}:${s.run}` : s.kind
}

/** Who a request is: a key's name and scopes, or everyone (auth off). */
export interface Principal {
  name: string
  /** null: auth is off, everything is allowed. */
  scopes: Scope[] | null
}

export function allows (p: Principal, kind: Access, run?: string): boolean {
  if (p.scopes === null || kind === 'open' || kind === 'authenticated') return true
  return p.scopes.some(s => s.kind === kind && (!('run' in s) || s.run === '*' || (run !== undefined && s.run === run)))
}

/** Any scope of this kind (the route-level check, before the run is known). */
export function allowsKind (p: Principal, kind: Access): boolean {
  if (p.scopes === null || kind === 'open' || kind === 'authenticated') return true
  return p.scopes.some(s => s.kind === kind)
}

/**
 * Authentication (401) before the body is read, authorisation (403) per route: each route names the scope
 * it needs in `config.access`; routes of the queue dashboard (registered by bull-board) need admin; the
 * docs and health probes are open. Run-scoped routes check the run once they know it (requireRun).
 * Keys come as `Authorization: Bearer KEY` or Basic auth with the key as the password (a URL's userinfo,
 * `http://rv:KEY@host/get_reward`, is sent that way by HTTP clients).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../../config/schema.ts'
import { errors } from '../../errors.ts'
import { allows, allowsKind, type Access, type Principal } from '../../auth/scopes.ts'
import type { AuthMode } from '../../auth/mode.ts'

declare module 'fastify' {
  interface FastifyRequest { principal: Principal }
  interface FastifyContextConfig { access?: Access }
}

const EVERYONE: Principal = { name: 'anonymous', scopes: null }
const CHALLENGE = 'Bearer realm="reward-verifier", Basic realm="reward-verifier"'

export function presentedKey (header: string | undefined): string | null {
  if (header === undefined) return null
  const m = /^(Bearer|Basic)\s+(\S+)\s*$/i.exec(header)
  if (m === null) return null
  const value = m[2] as string
  if ((m[1] as string).toLowerCase() === 'bearer') return value
  const decoded = Buffer.from(value, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? null : decoded.slice(colon + 1)
}

function accessOf (request: FastifyRequest, config: Config): Access {
  const declared = request.routeOptions.config?.access
  if (declared !== undefined) return declared === 'metrics' && !config.METRICS_AUTH ? 'open' : declared
  const path = request.url.split('?')[0] ?? ''
  if (path === '/admin/queues' || path.startsWith('/admin/queues/')) return 'admin'
  if (path === '/docs' || path.startsWith('/docs/')) return 'open'
  if (request.routeOptions.url === undefined) return 'open' // no such route: the 404 tells nothing
  return 'authenticated'
}

export function registerAuth (app: FastifyInstance, config: Config, mode: AuthMode): void {
  app.decorateRequest('principal', null as unknown as Principal)
  app.addHook('onRequest', async (request, reply) => {
    if (!mode.enabled) { request.principal = EVERYONE; return }
    const access = accessOf(request, config)
    if (access === 'open') { request.principal = EVERYONE; return }
    const key = presentedKey(request.headers.authorization)
    const entry = key === null ? null : mode.keys.lookup(key)
    if (entry === null) {
      reply.header('www-authenticate', CHALLENGE)
      throw new errors.Unauthorized()
    }
    request.principal = { name: entry.name, scopes: entry.scopes }
    if (!allowsKind(request.principal, access)) throw new errors.Forbidden(JSON.stringify(entry.name), scopeNeeded(access))
  })
}

function scopeNeeded (access: Access, run?: string): string {
  return access === 'rollouts' || access === 'trainer' ? `${access}:${run ?? '<run>'}` : access
}

/** 403 unless the request's key may act on this run (rollouts:<run> or trainer:<run>, or <run> = *). */
export function requireRun (request: FastifyRequest, kind: 'rollouts' | 'trainer', run: string): void {
  const p = request.principal
  if (!allows(p, kind, run)) throw new errors.Forbidden(JSON.stringify(p.name), scopeNeeded(kind, run))
}

/** Who is asking, for fair scheduling: the key's name, or the client address when auth is off. */
export function tenantOf (request: FastifyRequest): string {
  const p = request.principal
  return p.scopes === null ? `ip:${request.ip}` : `key:${p.name}`
}

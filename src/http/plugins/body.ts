/**
 * Request bodies: gzip accepted (Content-Encoding: gzip, limit applied to the decoded bytes), JSON parsed
 * with prototype-poisoning protection, and every string checked for NUL characters and lone surrogates,
 * which are rejected with the JSON pointer of the field that holds them. Nesting deeper than the schema's
 * own depth plus METADATA_MAX_DEPTH is refused (400) before anything recurses over it, and a body that
 * does not arrive within REQUEST_TIMEOUT_MS is cut (408, connection closed).
 */
import type { FastifyInstance } from 'fastify'
import { createGunzip } from 'node:zlib'
import type { Config } from '../../config/schema.ts'
import { errors, withField } from '../../errors.ts'
import { annotateNumbers } from '../../rewards/code/lossless.ts'

/** Depth of the request schemas themselves (e.g. /groups/0/reference/tests/cases/0/args), under free-form JSON. */
const SCHEMA_DEPTH = 8
/** Bodies longer than this (characters) are handled a step per event-loop turn. */
const YIELD_ABOVE_CHARS = 1 << 20

export function registerBodyHandling (app: FastifyInstance, config: Config): void {
  const maxDepth = config.METADATA_MAX_DEPTH + SCHEMA_DEPTH
  app.addHook('preParsing', async (request, reply, payload) => {
    // A body held open (sent slowly, or never finished) is cut at the deadline: the parser gets an error
    // (408 is sent, then the connection is closed), and the socket is destroyed if it lingers.
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0
    if (hasBody) {
      const deadline = setTimeout(() => {
        if (reply.sent) return
        reply.header('connection', 'close')
        payload.emit('error', new errors.RequestTimeout('REQUEST_TIMEOUT_MS', config.REQUEST_TIMEOUT_MS))
        setTimeout(() => { if (!reply.raw.writableFinished) request.raw.socket?.destroy?.() }, 1000).unref()
      }, config.REQUEST_TIMEOUT_MS)
      deadline.unref()
      const clear = (): void => { clearTimeout(deadline) }
      payload.once('end', clear)
      payload.once('close', clear)
      payload.once('error', clear)
      reply.raw.once('close', clear)
    }
    const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
    if (encoding === 'identity' || encoding === '') return payload
    if (encoding === 'gzip' || encoding === 'x-gzip') {
      // fastify checks Content-Length against receivedEncodedLength when a preParsing stream sets it (else
      // against the decoded length, which refuses any gzip body whose sizes differ): count the wire bytes.
      const gunzip = Object.assign(createGunzip(), { receivedEncodedLength: 0 })
      gunzip.on('error', () => {}) // surfaced by the parser as a body error
      payload.on('data', (chunk: Buffer) => { gunzip.receivedEncodedLength += chunk.length })
      payload.on('error', err => gunzip.destroy(err))
      return payload.pipe(gunzip)
    }
    throw new errors.RequestBadEncoding(`unsupported Content-Encoding '${encoding}' (use gzip or none)`)
  })

  app.removeContentTypeParser('text/plain') // every route takes JSON: anything else is a 415
  const parse = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string
    // A large body is parsed, checked and validated in separate turns of the event loop: /healthz and the
    // other requests are answered in between (a 10 MiB body is tens of ms per step).
    const next = text.length > YIELD_ABOVE_CHARS ? (fn: () => void) => { setImmediate(fn) } : (fn: () => void) => { fn() }
    parse(request, text, (err: Error | null, value?: unknown) => {
      if (err !== null) {
        done(new errors.RequestBadJson(err.message.replace(/^Body is not valid JSON but content-type is set to 'application\/json'$/, 'unreadable body')), undefined)
        return
      }
      next(() => {
        const bad = findBadString(value, maxDepth)
        if (bad !== null) {
          done(withField(new errors.RequestBadString(`${bad.pointer || '/'}: ${bad.problem}`), bad.pointer), undefined)
          return
        }
        next(() => {
          if (text.includes('"tests"')) annotateNumbers(value, text) // code tests keep numbers as written
          next(() => { done(null, value) })
        })
      })
    })
  })
}

function stringProblem (value: string): string | null {
  if (value.includes('\u0000')) return 'string contains a NUL character'
  if (!value.isWellFormed()) return 'string contains a lone surrogate (invalid UTF-16)'
  return null
}

/** The first bad string or too-deep container, depth first, without recursion (a 100k-deep body is fine). */
function findBadString (root: unknown, maxDepth: number): { pointer: string, problem: string } | null {
  const stack: Array<[unknown, string, number]> = [[root, '', 0]]
  while (stack.length > 0) {
    const [value, pointer, depth] = stack.pop() as [unknown, string, number]
    if (typeof value === 'string') {
      const problem = stringProblem(value)
      if (problem !== null) return { pointer, problem }
      continue
    }
    if (value === null || typeof value !== 'object') continue
    if (depth >= maxDepth) return { pointer, problem: `nested deeper than ${maxDepth} levels (METADATA_MAX_DEPTH ${maxDepth - SCHEMA_DEPTH} below the request's own structure)` }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${pointer}/${i}`, depth + 1])
      continue
    }
    const entries = Object.entries(value)
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, v] = entries[i] as [string, unknown]
      const problem = stringProblem(k)
      if (problem !== null) return { pointer: `${pointer}/${escapePointer(k)}`, problem: `key ${problem.replace('string ', '')}` }
      stack.push([v, `${pointer}/${escapePointer(k)}`, depth + 1])
    }
  }
  return null
}

/** Nesting depth of a JSON value (objects and arrays), iteratively; stops counting past `limit`. */
export function jsonDepth (root: unknown, limit: number): number {
  let max = 0
  const stack: Array<[unknown, number]> = [[root, 0]]
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number]
    if (value === null || typeof value !== 'object') continue
    const d = depth + 1
    if (d > max) max = d
    if (max > limit) return max
    for (const v of Array.isArray(value) ? value : Object.values(value)) if (v !== null && typeof v === 'object') stack.push([v, d])
  }
  return max
}

function escapePointer (key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1').replaceAll('\u0000', '\\u0000')
}

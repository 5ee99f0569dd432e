/**
 * Request bodies: gzip accepted (Content-Encoding: gzip, limit applied to the decoded bytes), JSON parsed
 * with prototype-poisoning protection, and every string checked for NUL characters and lone surrogates,
 * which are rejected with the JSON pointer of the field that holds them.
 */
import type { FastifyInstance } from 'fastify'
import { createGunzip } from 'node:zlib'
import { errors, withField } from '../../errors.ts'
import { annotateNumbers } from '../../rewards/code/lossless.ts'

export function registerBodyHandling (app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
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
    parse(request, body as string, (err: Error | null, value?: unknown) => {
      if (err !== null) {
        done(new errors.RequestBadJson(err.message.replace(/^Body is not valid JSON but content-type is set to 'application\/json'$/, 'unreadable body')), undefined)
        return
      }
      const bad = findBadString(value, '')
      if (bad !== null) {
        done(withField(new errors.RequestBadString(`${bad.pointer || '/'}: ${bad.problem}`), bad.pointer), undefined)
        return
      }
      if (body.includes('"tests"')) annotateNumbers(value, body as string) // code tests keep numbers as written
      done(null, value)
    })
  })
}

function findBadString (value: unknown, pointer: string): { pointer: string, problem: string } | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { pointer, problem: 'string contains a NUL character' }
    if (!value.isWellFormed()) return { pointer, problem: 'string contains a lone surrogate (invalid UTF-16)' }
    return null
  }
  if (value === null || typeof value !== 'object') return null
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findBadString(value[i], `${pointer}/${i}`)
      if (bad !== null) return bad
    }
    return null
  }
  for (const [k, v] of Object.entries(value)) {
    const key = findBadString(k, `${pointer}/${escapePointer(k)}`)
    if (key !== null) return { pointer: key.pointer, problem: `key ${key.problem.replace('string ', '')}` }
    const bad = findBadString(v, `${pointer}/${escapePointer(k)}`)
    if (bad !== null) return bad
  }
  return null
}

function escapePointer (key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1').replaceAll('\u0000', '\\u0000')
}

/**
 * One error shape for every 4xx/5xx: {statusCode, code, error, message, field?}. Validation errors name the
 * field (JSON pointer); framework errors are mapped to RWD_ERR_* codes; a 5xx never leaks internals.
 */
import type { FastifyInstance, FastifyError } from 'fastify'
import { STATUS_CODES } from 'node:http'
import type { Config } from '../../config/schema.ts'
import { errors } from '../../errors.ts'
import { describeValidation } from './validation-message.ts'

interface Coded { code?: string, statusCode?: number, field?: string, retryAfter?: number }

export function registerErrorHandler (app: FastifyInstance, config: Config): void {
  app.setNotFoundHandler(async (request, reply) => {
    const err = new errors.NotFound(request.method, request.url.split('?')[0] ?? '')
    return await reply.code(404).send(payload(err.code, 404, err.message))
  })
  app.setErrorHandler((error: FastifyError & Coded, request, reply) => {
    if (error.validation !== undefined) {
      const { message, field } = describeValidation(error.validation, error.validationContext ?? 'body')
      return reply.code(400).send({ ...payload('RWD_ERR_REQUEST_INVALID', 400, message), field })
    }
    const limitKey = (request.routeOptions.config as { bodyLimitKey?: string } | undefined)?.bodyLimitKey
    const mapped = mapFrameworkError(error, config, request.routeOptions.bodyLimit, limitKey)
    const status = mapped.statusCode
    if (status >= 500 && status !== 503) { // a 503 is a coded RWD_ERR_* (only those map to it): its message is meant for the client
      request.log.error({ err: error }, 'request failed')
      const err = new errors.Internal(request.id)
      return reply.code(500).send(payload(err.code, 500, err.message))
    }
    const body: Record<string, unknown> = payload(mapped.code, status, mapped.message)
    if (error.field !== undefined) body.field = error.field
    if (status === 429 || status === 503) reply.header('retry-after', String(error.retryAfter ?? 1))
    return reply.code(status).send(body)
  })
}

function mapFrameworkError (error: FastifyError & Coded, config: Config, routeLimit?: number, limitKey?: string): { code: string, statusCode: number, message: string } {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      // Routes with their own limit name it: route config bodyLimitKey (POST /get_reward), else POST /v1/rollouts'
      // ROLLOUT_BODY_LIMIT_BYTES when the limit differs from BODY_LIMIT_BYTES.
      const [key, limit] = limitKey !== undefined && routeLimit !== undefined
        ? [limitKey, routeLimit]
        : routeLimit !== undefined && routeLimit !== config.BODY_LIMIT_BYTES ? ['ROLLOUT_BODY_LIMIT_BYTES', routeLimit] : ['BODY_LIMIT_BYTES', config.BODY_LIMIT_BYTES]
      return { code: 'RWD_ERR_REQUEST_TOO_LARGE', statusCode: 413, message: `request body exceeds ${key} (${limit} bytes, after gzip decoding)` }
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'RWD_ERR_REQUEST_BAD_ENCODING', statusCode: 415, message: 'unsupported Content-Type: send application/json' }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'RWD_ERR_REQUEST_BAD_JSON', statusCode: 400, message: 'request body is empty; a JSON object is required' }
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'RWD_ERR_REQUEST_BAD_JSON', statusCode: 400, message: 'Content-Length does not match the body (or the gzip body is corrupt)' }
    case 'Z_DATA_ERROR': case 'Z_BUF_ERROR':
      return { code: 'RWD_ERR_REQUEST_BAD_ENCODING', statusCode: 400, message: `gzip body could not be decoded: ${error.message}` }
  }
  const status = error.statusCode ?? 500
  if (typeof error.code === 'string' && error.code.startsWith('RWD_ERR_')) return { code: error.code, statusCode: status, message: error.message }
  if (status >= 400 && status < 500) return { code: 'RWD_ERR_REQUEST_INVALID', statusCode: status, message: error.message }
  return { code: 'RWD_ERR_INTERNAL', statusCode: 500, message: 'internal error' }
}

function payload (code: string, statusCode: number, message: string): { statusCode: number, code: string, error: string, message: string } {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

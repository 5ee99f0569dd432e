/**
 * Every configuration key, with its description and default: the one source for loadConfig,
 * .env.example and the README's configuration table.
 */
import { Type, type Static } from 'typebox'
import { availableParallelism } from 'node:os'

const cores = Math.max(1, availableParallelism())

export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'Address the HTTP server binds to.' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'HTTP port (0 picks a free one).' }),
  LOG_LEVEL: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
    Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')
  ], { default: 'info', description: 'pino log level.' }),
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379', description: 'Redis for the rollout queue and trainer leases.' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 16 * 1024 * 1024, description: 'Largest request body, after gzip decoding (413 above it).' }),
  MAX_GROUPS_PER_REQUEST: Type.Integer({ minimum: 1, default: 4096, description: 'Most groups in one /v1/score request (413 above it).' }),
  MAX_COMPLETIONS_PER_REQUEST: Type.Integer({ minimum: 1, default: 65536, description: 'Most completions in one /v1/score request, all groups together (413 above it).' }),
  MAX_COMPLETION_CHARS: Type.Integer({ minimum: 16, default: 1_000_000, description: 'Longest completion, in UTF-16 code units (413 above it).' }),
  MATH_THREADS: Type.Integer({ minimum: 1, default: Math.max(1, cores - 1), description: 'Worker threads of the math verifier pool.' }),
  MATH_DEADLINE_MS: Type.Integer({ minimum: 50, default: 2000, description: 'Deadline of one math check; past it the check answers timeout and its worker is replaced.' }),
  TEXT_THREADS: Type.Integer({ minimum: 0, default: Math.max(1, cores - 1), description: 'Worker threads for text rewards (language, repetition) on large batches; 0 runs them on the main thread.' })
}, { additionalProperties: true })

export type Config = Readonly<Static<typeof ConfigSchema>>

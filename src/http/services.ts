/** What routes use, built once by the app factory (or injected by tests and the CLI). */
import type { FastifyInstance, RawServerDefault, FastifyBaseLogger } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from '../config/schema.ts'
import type { GatedMath, GatedCode, Gates } from '../scoring/admission.ts'
import type { Scorer } from '../scoring/scorer.ts'
import type { Metrics } from './plugins/metrics.ts'
import type { Pipeline } from '../queue/pipeline.ts'

export interface Services {
  config: Config
  math: GatedMath
  code: GatedCode
  /** Admission gates of the pools (absent where a caller builds services without them: no admission then). */
  gates?: Gates
  scorer: Scorer
  metrics: Metrics
  /** The Redis pipeline (rollouts, trainer leases); absent where a caller builds services without it. */
  pipeline?: Pipeline
}

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>

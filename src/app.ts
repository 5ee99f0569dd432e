/**
 * The Fastify app, built by a factory: what the server entry listens with and what tests inject into.
 * Scoring resources (math pool, language workers, code sandboxes) are created here and closed with the app.
 */
import Fastify from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { Config } from './config/schema.ts'
import type { MathVerifier } from './rewards/math/api.ts'
import { createScoringResources } from './scoring/resources.ts'
import { Metrics, registerMetrics } from './http/plugins/metrics.ts'
import { registerBodyHandling } from './http/plugins/body.ts'
import { registerErrorHandler } from './http/plugins/error-handler.ts'
import { registerAuth } from './http/plugins/auth.ts'
import { resolveAuth } from './auth/mode.ts'
import { ErrorReplySchema } from './http/schemas/error.ts'
import { healthRoutes } from './http/routes/health.ts'
import { scoreRoutes } from './http/routes/score.ts'
import { getRewardRoutes } from './http/routes/get-reward.ts'
import { verifyMathRoutes } from './http/routes/verify-math.ts'
import { verifyCodeRoutes } from './http/routes/verify-code.ts'
import { evalRoutes } from './http/routes/eval.ts'
import type { App, Services } from './http/services.ts'
import { queueRoutes } from './http/routes/queue.ts'
import { Pipeline } from './queue/pipeline.ts'
import { startScoringWorker } from './queue/scoring-worker.ts'
import { REWARD_VERSION } from './scoring/version.ts'
import packageJson from '../package.json' with { type: 'json' }

export interface BuildOptions {
  config: Config
  /** A verifier to use instead of creating a pool (closed by its owner, not the app). */
  math?: MathVerifier
  logger?: boolean
  /** Start the code sandboxes' warm jails once the app is ready (npm start does; tests start them on use). */
  warmSandboxes?: boolean
  /** Run a scoring worker in this process (npm start does when EMBEDDED_WORKER is true; tests do not). */
  worker?: boolean
}

export async function buildApp (opts: BuildOptions): Promise<App> {
  const { config } = opts
  // throws ConfigInvalid (the server entry prints it and exits non-zero) before anything is started
  const auth = resolveAuth(config, err => { app.log.error({ err: err.message }, 'API_KEYS_FILE could not be re-read; the keys loaded before stay in use') })
  const app = Fastify({
    logger: opts.logger === false ? false : { level: config.LOG_LEVEL },
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: config.CONNECTION_TIMEOUT_MS,
    // rollout ids are up to 256 characters, percent-encoded in GET /v1/rollouts/:id (up to 12 bytes each)
    routerOptions: { maxParamLength: 4096 },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, discriminator: true } },
    return503OnClosing: true
  }).withTypeProvider<TypeBoxTypeProvider>()

  if (!auth.enabled) app.log.warn(`authentication is off (${auth.why})`)
  const metrics = new Metrics(config.METRICS_MAX_RUNS)
  const resources = createScoringResources(config, {
    ...(opts.math === undefined ? {} : { math: opts.math }),
    observe: (name, seconds, results) => metrics.observeReward(name, seconds, results)
  })
  app.addHook('onClose', async () => { await resources.close() })
  const { math, code, scorer, gates } = resources
  if (opts.warmSandboxes === true) {
    app.addHook('onReady', async () => {
      code.warm().catch((err: Error) => app.log.warn({ err: err.message }, 'code sandboxes cannot start: code rewards will answer status error'))
    })
  }
  const pipeline = new Pipeline(config, metrics.registry)
  app.addHook('onClose', async () => { await pipeline.close() })
  const services: Services = { config, math, code, scorer, metrics, pipeline, gates }
  if (opts.worker === true) {
    const worker = startScoringWorker({ config, scorer, metrics: pipeline.metrics, log: app.log, name: 'rwd-embedded-worker' })
    app.addHook('preClose', async () => { await worker.close() })
  }

  app.addSchema(ErrorReplySchema)
  registerAuth(app, config, auth)
  registerBodyHandling(app, config)
  registerErrorHandler(app, config)
  registerMetrics(app, metrics)

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'reward-verifier',
        version: packageJson.version,
        description: `Reward service for GRPO training of reasoning models. Reward version ${REWARD_VERSION}.`
      },
      tags: [
        { name: 'score', description: 'Score completions and compute advantages.' },
        { name: 'verify', description: 'Single checks with explanations.' },
        { name: 'eval', description: 'Evaluation metrics (pass@k, maj@k) over scored groups.' },
        { name: 'queue', description: 'Asynchronous scoring through the Redis queue (BullMQ).' },
        { name: 'trainer', description: 'Trainers lease scored groups per run, then ack, extend or nack.' },
        { name: 'ops', description: 'Health, readiness, metrics.' }
      ],
      components: {
        securitySchemes: {
          bearerKey: { type: 'http', scheme: 'bearer', description: 'An API key (reward-verifier keys add) as `Authorization: Bearer KEY`.' },
          basicKey: { type: 'http', scheme: 'basic', description: 'The same key as the Basic-auth password, any username (URL userinfo: http://rv:KEY@host/get_reward).' }
        }
      },
      security: [{ bearerKey: [] }, { basicKey: [] }]
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  healthRoutes(app, services)
  scoreRoutes(app, services)
  getRewardRoutes(app, services)
  verifyMathRoutes(app, services)
  verifyCodeRoutes(app, services)
  evalRoutes(app, services)
  await queueRoutes(app, services)
  return app
}

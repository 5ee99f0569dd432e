/** Liveness, readiness and Prometheus metrics. */
import { Type } from 'typebox'
import type { App, Services } from '../services.ts'
import { ErrorReplySchema } from '../schemas/error.ts'

const Health = Type.Object({ status: Type.String() })
const Ready = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) })

export function healthRoutes (app: App, services: Services): void {
  app.get('/healthz', {
    schema: { tags: ['ops'], summary: 'Liveness: the process answers.', security: [], response: { 200: Health } },
    config: { access: 'open' }
  }, async () => ({ status: 'ok' }))

  app.get('/readyz', {
    schema: { tags: ['ops'], summary: 'Readiness: 503 unless every enabled reward can be computed (the math verifier answers a check, the code sandboxes start, an enabled compiled language (CODE_LANGUAGES) has its toolchain); Redis is reported (status degraded without it).', security: [], response: { 200: Ready, 503: Ready } },
    config: { access: 'open' }
  }, async (_request, reply) => {
    const checks: Record<string, string> = {}
    try {
      const r = await services.math.check({ gold: '1/2', prediction: '0.5', extract: false })
      checks.math = r.status === 'ok' && r.equivalent === true ? 'ok' : `unexpected: ${r.status}`
    } catch (err) {
      checks.math = `failed: ${(err as Error).message}`
    }
    // Code rewards are on for every request that sends a code reference: sandboxes that cannot start (no
    // bubblewrap, no free uid range, a non-root service where jails need root) make the service not ready.
    try {
      await services.code.warm()
      checks.sandboxes = 'ok'
    } catch (err) {
      checks.sandboxes = `failed: ${(err as Error).message}`
    }
    // Compiled languages this deployment enables (CODE_LANGUAGES): a missing toolchain fails readiness.
    const langs = services.code.languages?.() ?? { required: false, status: {} }
    for (const [l, v] of Object.entries(langs.status)) checks[`code_${l}`] = v
    // Redis is reported but does not fail readiness: without it /v1/score still works (queue routes answer 503).
    if (services.pipeline !== undefined) checks.redis = await services.pipeline.link.check()
    const ready = checks.math === 'ok' && checks.sandboxes === 'ok' && (!langs.required || Object.values(langs.status).every(v => v === 'ok'))
    const status = !ready ? 'not_ready' : Object.values(checks).every(v => v === 'ok') ? 'ready' : 'degraded'
    return await reply.code(ready ? 200 : 503).send({ status, checks })
  })

  app.get('/metrics', {
    schema: { tags: ['ops'], summary: 'Prometheus metrics (text exposition format). Needs the metrics scope unless METRICS_AUTH=false.', produces: ['text/plain'], response: { 200: Type.String(), 401: ErrorReplySchema, 403: ErrorReplySchema } },
    config: { access: 'metrics' }
  }, async (_request, reply) => {
    const text = await services.metrics.exposition()
    return await reply.type(services.metrics.registry.contentType).send(text)
  })
}

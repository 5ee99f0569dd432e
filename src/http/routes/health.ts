/** Liveness, readiness and Prometheus metrics. */
import { Type } from 'typebox'
import type { App, Services } from '../services.ts'

const Health = Type.Object({ status: Type.String() })
const Ready = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) })

export function healthRoutes (app: App, services: Services): void {
  app.get('/healthz', {
    schema: { tags: ['ops'], summary: 'Liveness: the process answers.', response: { 200: Health } }
  }, async () => ({ status: 'ok' }))

  app.get('/readyz', {
    schema: { tags: ['ops'], summary: 'Readiness: the math verifier answers a check (503 if not); code sandboxes and Redis are reported (status degraded without them); an enabled compiled language (CODE_LANGUAGES) without its toolchain fails it.', response: { 200: Ready, 503: Ready } }
  }, async (_request, reply) => {
    const checks: Record<string, string> = {}
    try {
      const r = await services.math.check({ gold: '1/2', prediction: '0.5', extract: false })
      checks.math = r.status === 'ok' && r.equivalent === true ? 'ok' : `unexpected: ${r.status}`
    } catch (err) {
      checks.math = `failed: ${(err as Error).message}`
    }
    // The sandboxes are reported, not required: math and text rewards work without them.
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
    const ready = checks.math === 'ok' && (!langs.required || Object.values(langs.status).every(v => v === 'ok'))
    const status = !ready ? 'not_ready' : Object.values(checks).every(v => v === 'ok') ? 'ready' : 'degraded'
    return await reply.code(ready ? 200 : 503).send({ status, checks })
  })

  app.get('/metrics', {
    schema: { tags: ['ops'], summary: 'Prometheus metrics (text exposition format).', produces: ['text/plain'], response: { 200: Type.String() } }
  }, async (_request, reply) => {
    const text = await services.metrics.registry.metrics()
    return await reply.type(services.metrics.registry.contentType).send(text)
  })
}

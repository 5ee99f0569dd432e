/** POST /v1/verify/math: one equivalence check, with what was extracted and parsed on each side and the rule that decided. */
import { Type } from 'typebox'
import { ErrorReplySchema, errorReplies } from '../schemas/error.ts'
import { admitWork } from '../admission.ts'
import { tenantOf } from '../plugins/auth.ts'
import type { App, Services } from '../services.ts'
import { clientSignal } from '../client-signal.ts'

const TagName = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]{0,31}$' })

export const VerifyMathRequestSchema = Type.Object({
  gold: Type.String({ minLength: 1, description: 'Reference answer (LaTeX or plain text).' }),
  prediction: Type.String({ description: 'A whole completion (extract=true) or an answer used as given (extract=false).' }),
  extract: Type.Optional(Type.Boolean({ default: true, description: 'Extract the answer from the prediction first (default true).' })),
  tags: Type.Optional(Type.Object({ think: Type.Optional(TagName), answer: Type.Optional(TagName) }, { additionalProperties: false })),
  rounding: Type.Optional(Type.Union([Type.Literal('off'), Type.Literal('gold_precision')], { default: 'off', description: "'off' compares decimals exactly; 'gold_precision' lets a longer decimal match a decimal gold it rounds to at the gold's places." }))
}, { additionalProperties: false })

const Side = Type.Object({
  extracted: Type.Union([Type.String(), Type.Null()]),
  parsed: Type.Union([Type.String(), Type.Null()])
})

export const VerifyMathReplySchema = Type.Object({
  equivalent: Type.Union([Type.Boolean(), Type.Null()]),
  status: Type.Union([Type.Literal('ok'), Type.Literal('unscorable'), Type.Literal('timeout'), Type.Literal('error')]),
  rule: Type.Union([Type.String(), Type.Null()], { description: 'The rule that decided.' }),
  reason: Type.Optional(Type.String()),
  details: Type.Optional(Type.Object({ candidates: Type.Array(Type.String(), { description: "For rule 'hedge': the different answers the completion committed to." }) })),
  gold: Side,
  prediction: Side,
  elapsed_ms: Type.Number()
})

export function verifyMathRoutes (app: App, services: Services): void {
  app.post('/v1/verify/math', {
    schema: {
      tags: ['verify'],
      summary: 'Check one math answer against a reference and explain the verdict.',
      body: VerifyMathRequestSchema,
      response: { 200: VerifyMathReplySchema, ...errorReplies, 401: ErrorReplySchema, 403: ErrorReplySchema, 429: ErrorReplySchema }
    },
    config: { access: 'score' }
  }, async (request, res) => {
    const { gold, prediction, extract, tags, rounding } = request.body
    const release = admitWork(services, request, { math: 1, code: 0 })
    const r = await services.math.check({
      gold,
      prediction,
      extract: extract ?? true,
      tags: { think: tags?.think ?? 'think', answer: tags?.answer ?? 'answer' },
      rounding: rounding ?? 'off'
    }, { signal: clientSignal(res), tenant: tenantOf(request) }).finally(release)
    services.metrics.observeReward('verify_math', r.elapsed_ms / 1000, [{ score: r.equivalent === null ? null : Number(r.equivalent), status: r.status }])
    return r
  })
}

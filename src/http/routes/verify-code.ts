/**
 * POST /v1/verify/code: run `code` (used as given, not extracted) against tests in the sandboxes and
 * answer per-test verdicts. Mount with `verifyCodeRoutes(app, { ...services, code })` where `code` is a
 * CodeVerifier from src/rewards/code/verifier.ts (created once by the app, closed on close).
 */
import { Type, type Static } from 'typebox'
import { ErrorReplySchema, errorReplies } from '../schemas/error.ts'
import { admitWork, checkCodeBudget, codeCostMs } from '../admission.ts'
import { tenantOf } from '../plugins/auth.ts'
import type { App, Services } from '../services.ts'
import { clientSignal } from '../client-signal.ts'
import type { GatedCode } from '../../scoring/admission.ts'
import { errors, withField } from '../../errors.ts'
import { isNative } from '../../sandbox/native/toolchains.ts'
import { callFunctionProblem } from '../../rewards/code/native-call.ts'
import { CodeLanguageSchema, CodeLimitsSchema, CodeScoringSchema, CodeTestsSchema } from '../../rewards/code/schema.ts'

export const VerifyCodeRequestSchema = Type.Object({
  language: CodeLanguageSchema,
  code: Type.String({ maxLength: 1 << 20, description: 'The program, used as given.' }),
  tests: CodeTestsSchema,
  limits: Type.Optional(CodeLimitsSchema),
  scoring: Type.Optional(CodeScoringSchema)
}, { additionalProperties: false })

const Verdict = Type.Union([
  Type.Literal('passed'), Type.Literal('wrong_answer'), Type.Literal('runtime_error'), Type.Literal('timeout'),
  Type.Literal('memory_limit'), Type.Literal('output_limit'), Type.Literal('compile_error')
])

export const VerifyCodeReplySchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unscorable'), Type.Literal('timeout'), Type.Literal('error')], {
    description: "'error' is a sandbox fault (reward null, never 0); 'unscorable': the test itself does not run."
  }),
  reward: Type.Union([Type.Number(), Type.Null()]),
  passed: Type.Integer(),
  total: Type.Integer(),
  tests: Type.Array(Type.Object({
    index: Type.Integer(),
    verdict: Verdict,
    time_ms: Type.Optional(Type.Number({ description: 'CPU time of the case (Python) or wall time (JavaScript).' })),
    error: Type.Optional(Type.String()),
    stderr: Type.Optional(Type.String()),
    got: Type.Optional(Type.String({ description: 'Printable form of the value or output (wrong_answer).' })),
    expected: Type.Optional(Type.String())
  })),
  reason: Type.Optional(Type.String()),
  trust: Type.Optional(Type.Literal('cooperative', { description: 'Script tests of a compiled language ran in the solution\'s own process: the solution can forge this verdict. Use stdio tests for RL.' })),
  build: Type.Optional(Type.Object({
    cached: Type.Boolean({ description: 'The program came from the build cache (compiled by an earlier request).' }),
    compile_ms: Type.Number({ description: 'Compile time of the program (when it was built).' })
  }, { description: 'Compiled languages only.' }))
})

export function verifyCodeRoutes (app: App, services: Pick<Services, 'metrics'> & Partial<Pick<Services, 'config' | 'gates'>> & { code: GatedCode }): void {
  app.post('/v1/verify/code', {
    schema: {
      tags: ['verify'],
      summary: 'Run code against tests in a sandbox and return per-test verdicts.',
      body: VerifyCodeRequestSchema,
      response: { 200: VerifyCodeReplySchema, ...errorReplies, 401: ErrorReplySchema, 403: ErrorReplySchema, 429: ErrorReplySchema }
    },
    config: { access: 'score' }
  }, async (request, res) => {
    const t0 = performance.now()
    const { language, code, tests, limits, scoring } = request.body
    if (services.config !== undefined) checkCodeBudget(codeCostMs(language, tests, limits), '/tests', services.config)
    const problem = tests.type === 'call' && isNative(language) ? callFunctionProblem(language, tests.function) : null
    if (problem !== null) throw withField(new errors.RequestInvalid(`/tests/function: ${problem}`), '/tests/function')
    const release = admitWork(services, request, { math: 0, code: 1 })
    const r = await services.code.verify({
      language,
      code,
      tests,
      ...(limits !== undefined && { limits }),
      ...(scoring !== undefined && { scoring })
    }, { signal: clientSignal(res), tenant: tenantOf(request) }).finally(release)
    services.metrics.observeReward('verify_code', (performance.now() - t0) / 1000, [{ score: r.reward, status: r.status }])
    return r as Static<typeof VerifyCodeReplySchema> // per-test records are built by verdicts.ts in this shape
  })
}

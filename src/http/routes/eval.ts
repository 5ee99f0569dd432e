/** POST /v1/eval: the metrics of `reward-verifier eval` (pass@k, maj@k, format rate, length, categories) for scored groups. */
import { EvalRequestSchema, EvalReplySchema, type ScoredGroup } from '../../eval/schema.ts'
import { evaluate } from '../../eval/evaluate.ts'
import { mathEquivalence } from '../../eval/clusters.ts'
import { ErrorReplySchema, errorReplies } from '../schemas/error.ts'
import { admitWork } from '../admission.ts'
import { tenantOf } from '../plugins/auth.ts'
import { errors, withField } from '../../errors.ts'
import { clientSignal } from '../client-signal.ts'
import type { Config } from '../../config/schema.ts'
import type { MathVerifier } from '../../rewards/math/api.ts'
import type { App, Services } from '../services.ts'

export function evalRoutes (app: App, services: Services): void {
  app.post('/v1/eval', {
    schema: {
      tags: ['eval'],
      summary: 'Evaluation metrics for scored groups: pass@1, pass@k, maj@k, format rate, length, per-category accuracy.',
      description: 'Groups are /v1/score results with their completions (or lines of `reward-verifier score` output). ' +
        'n is the number of samples whose accuracy was judged (status ok). pass@k is the unbiased estimator of Chen et al. (2021), ' +
        'averaged over problems with at least k judged samples. maj@k votes on the extracted answer, with answers the math ' +
        'verifier judges equivalent merged into one vote (all right answers are one; wrong ones are compared with each other; ' +
        'code: identical per-test verdicts); a tie shares the credit among the ' +
        'tied answers; for k < n it is the mean over all k-subsets, or over 256 subsets drawn with a seed from the problem id.',
      body: EvalRequestSchema,
      response: { 200: EvalReplySchema, ...errorReplies, 401: ErrorReplySchema, 403: ErrorReplySchema, 429: ErrorReplySchema }
    },
    config: { access: 'score' }
  }, async (request, res) => {
    const total = checkEvalLimits(request.body.groups, services.config)
    const release = admitWork(services, request, { math: total, code: 0 })
    const tenant = tenantOf(request)
    const math: MathVerifier = {
      check: async (input, o = {}) => await services.math.check(input, { ...o, tenant }),
      checkMany: async (inputs, o = {}) => await services.math.checkMany(inputs, { ...o, tenant }),
      close: async () => {}
    }
    try {
      return await evaluate(request.body.groups, {
        k: request.body.k,
        histogram_bins: request.body.histogram_bins,
        equivalent: mathEquivalence(math, clientSignal(res))
      })
    } finally {
      release()
    }
  })
}

/** The same size limits as /v1/score (413), and consistency the schema cannot express (400). */
function checkEvalLimits (groups: ScoredGroup[], config: Config): number {
  if (groups.length > config.MAX_GROUPS_PER_REQUEST) {
    throw withField(new errors.RequestTooLarge(`${groups.length} groups exceed MAX_GROUPS_PER_REQUEST (${config.MAX_GROUPS_PER_REQUEST})`), '/groups')
  }
  let total = 0
  const ids = new Set<string>()
  groups.forEach((g, gi) => {
    total += g.results.length
    if (ids.has(g.id)) throw withField(new errors.RequestInvalid(`/groups/${gi}/id '${g.id}' repeats an earlier group id`), `/groups/${gi}/id`)
    ids.add(g.id)
    g.results.forEach((r, ri) => {
      const at = `/groups/${gi}/results/${ri}`
      if (r.reward !== null && Math.abs(r.reward) > MAX_EVAL_REWARD) throw withField(new errors.RequestInvalid(`${at}/reward ${r.reward} is outside ±${MAX_EVAL_REWARD}`), `${at}/reward`)
      for (const [name, c] of Object.entries(r.components)) {
        if (c.score !== null && Math.abs(c.score) > MAX_EVAL_REWARD) throw withField(new errors.RequestInvalid(`${at}/components/${name}/score ${c.score} is outside ±${MAX_EVAL_REWARD}`), `${at}/components/${name}/score`)
      }
    })
    for (const key of ['completions', 'length_tokens'] as const) {
      const list = g[key]
      if (list !== undefined && list.length !== g.results.length) {
        throw withField(new errors.RequestInvalid(`/groups/${gi}/${key} has ${list.length} entries for ${g.results.length} results`), `/groups/${gi}/${key}`)
      }
    }
  })
  if (total > config.MAX_COMPLETIONS_PER_REQUEST) {
    throw withField(new errors.RequestTooLarge(`${total} results exceed MAX_COMPLETIONS_PER_REQUEST (${config.MAX_COMPLETIONS_PER_REQUEST})`), '/groups')
  }
  return total
}

/** Rewards and scores /v1/eval accepts: sums and means of these stay finite (±1e308 gave Infinity). */
const MAX_EVAL_REWARD = 1e12

/** POST /v1/eval: the metrics of `reward-verifier eval` (pass@k, maj@k, format rate, length, categories) for scored groups. */
import { EvalRequestSchema, EvalReplySchema, type ScoredGroup } from '../../eval/schema.ts'
import { evaluate } from '../../eval/evaluate.ts'
import { mathEquivalence } from '../../eval/clusters.ts'
import { errorReplies } from '../schemas/error.ts'
import { errors, withField } from '../../errors.ts'
import { clientSignal } from '../client-signal.ts'
import type { Config } from '../../config/schema.ts'
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
      response: { 200: EvalReplySchema, ...errorReplies }
    }
  }, async (request, res) => {
    checkEvalLimits(request.body.groups, services.config)
    return await evaluate(request.body.groups, {
      k: request.body.k,
      histogram_bins: request.body.histogram_bins,
      equivalent: mathEquivalence(services.math, clientSignal(res))
    })
  })
}

/** The same size limits as /v1/score (413), and consistency the schema cannot express (400). */
function checkEvalLimits (groups: ScoredGroup[], config: Config): void {
  if (groups.length > config.MAX_GROUPS_PER_REQUEST) {
    throw withField(new errors.RequestTooLarge(`${groups.length} groups exceed MAX_GROUPS_PER_REQUEST (${config.MAX_GROUPS_PER_REQUEST})`), '/groups')
  }
  let total = 0
  const ids = new Set<string>()
  groups.forEach((g, gi) => {
    total += g.results.length
    if (ids.has(g.id)) throw withField(new errors.RequestInvalid(`/groups/${gi}/id '${g.id}' repeats an earlier group id`), `/groups/${gi}/id`)
    ids.add(g.id)
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
}

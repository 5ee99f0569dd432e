/**
 * What a synchronous request costs, checked before any work: the code budget (cases x time limit over every
 * code check, 413 naming the field and REQUEST_CODE_BUDGET_S) and admission at the pools' gates (429 +
 * Retry-After when this tenant's backlog would wait too long). admitWork returns the function that ends
 * the admission; call it when the request is done, however it ends.
 */
import type { FastifyRequest } from 'fastify'
import type { Config } from '../config/schema.ts'
import { errors, withField } from '../errors.ts'
import type { Services } from './services.ts'
import type { Group } from '../scoring/schema.ts'
import type { CodeLimits, CodeLanguage } from '../rewards/code/api.ts'
import type { CodeTests } from '../rewards/code/schema.ts'
import { clampLimits, JAVASCRIPT_CAPS, PYTHON_CAPS } from '../sandbox/limits.ts'
import { tenantOf } from './plugins/auth.ts'
import { jsonDepth } from './plugins/body.ts'

export interface Work { math: number, code: number }

/** CPU milliseconds one code check may ask for: cases x the time limit it runs under. */
export function codeCostMs (language: CodeLanguage, tests: CodeTests, limits: CodeLimits | undefined): number {
  const caps = language === 'python' ? PYTHON_CAPS : JAVASCRIPT_CAPS
  const cases = tests.type === 'script' ? 1 : tests.cases.length
  return cases * clampLimits(caps, limits).time_ms
}

/** Refuses (413) a request whose code checks together may take more CPU time than REQUEST_CODE_BUDGET_S. */
export function checkCodeBudget (totalMs: number, field: string, config: Config): void {
  const budget = config.REQUEST_CODE_BUDGET_S * 1000
  if (totalMs > budget) {
    throw withField(new errors.RequestTooLarge(`${field} asks for up to ${Math.ceil(totalMs / 1000)} s of CPU (cases x time_ms over every code check), over REQUEST_CODE_BUDGET_S (${config.REQUEST_CODE_BUDGET_S}); lower limits.time_ms or send fewer cases`), field)
  }
}

/** The work of a batch of groups (accuracy on): math checks, code checks; and the code budget, checked. */
export function workOfGroups (groups: Group[], accuracy: boolean, config: Config, field = '/groups'): Work {
  const work: Work = { math: 0, code: 0 }
  if (!accuracy) return work
  let codeMs = 0
  for (const g of groups) {
    const ref = g.reference
    if (ref.type === 'math') work.math += g.completions.length
    else if (ref.type === 'code') {
      work.code += g.completions.length
      codeMs += g.completions.length * codeCostMs(ref.language, ref.tests, ref.limits)
    }
  }
  checkCodeBudget(codeMs, field, config)
  return work
}

/** 400 when a group's metadata nests deeper than METADATA_MAX_DEPTH (what the trainers can read back). */
export function checkMetadataDepth (groups: Array<{ metadata?: unknown }>, config: Config): void {
  groups.forEach((g, i) => {
    if (g.metadata === undefined) return
    const depth = jsonDepth(g.metadata, config.METADATA_MAX_DEPTH)
    if (depth > config.METADATA_MAX_DEPTH) {
      throw withField(new errors.RequestInvalid(`/groups/${i}/metadata nests deeper than METADATA_MAX_DEPTH (${config.METADATA_MAX_DEPTH})`), `/groups/${i}/metadata`)
    }
  })
}

/** Admits the work at the gates for this request's tenant (429 RWD_ERR_BUSY otherwise). */
export function admitWork (services: Pick<Services, 'gates'>, request: FastifyRequest, work: Work): () => void {
  const gates = services.gates
  if (gates === undefined) return () => {}
  const tenant = tenantOf(request)
  const releaseMath = gates.math.admit(tenant, work.math)
  let releaseCode: () => void
  try {
    releaseCode = gates.code.admit(tenant, work.code)
  } catch (err) {
    releaseMath()
    throw err
  }
  return () => { releaseMath(); releaseCode() }
}

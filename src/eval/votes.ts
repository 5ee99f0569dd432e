/**
 * What a scored sample contributes to the metrics: whether its accuracy was judged and correct, and what
 * it votes for in maj@k.
 *   math: the extracted answer (components.accuracy.details.extracted); none extracted: abstains.
 *   code: the list of per-test verdicts (components.accuracy.details.verdicts, or tests[].verdict), so programs vote
 *         together when they behave identically on the tests; no tests run: abstains.
 * A sample whose accuracy is missing or not 'ok' (unscorable, timeout, error) is unjudged: left out of n.
 */
import type { CompletionResult } from '../scoring/schema.ts'

export interface SampleVerdict {
  /** null: not judged (no accuracy component, or its status is not ok). */
  correct: boolean | null
  /** The vote; null abstains. */
  vote: string | null
}

export function sampleVerdict (result: CompletionResult, referenceType: string | undefined): SampleVerdict {
  const acc = result.components.accuracy
  if (acc === undefined || acc.status !== 'ok' || acc.score === null) return { correct: null, vote: null }
  const correct = acc.score >= 1
  const details = (acc.details ?? {}) as Record<string, unknown>
  if (referenceType === 'code') return { correct, vote: codeVote(details.verdicts ?? details.tests) }
  const extracted = details.extracted
  return { correct, vote: typeof extracted === 'string' ? extracted : null }
}

function codeVote (verdicts: unknown): string | null {
  if (!Array.isArray(verdicts) || verdicts.length === 0) return null
  return verdicts.map(t => typeof t === 'string' ? t : typeof t === 'object' && t !== null && 'verdict' in t ? String(t.verdict) : '?').join(',')
}

/**
 * The result shape shared by every reward component.
 * "Could not score" is never 0: score is null unless status is 'ok'.
 */
export type RewardStatus = 'ok' | 'unscorable' | 'timeout' | 'error'

export interface ComponentResult {
  score: number | null
  status: RewardStatus
  /** Human-readable reason when status is not 'ok' (or when score is 0 for a rule reason). */
  reason?: string
  details?: Record<string, unknown>
}

/** Tag names of the completion template (R1: think/answer). */
export interface TemplateTags {
  think: string
  answer: string
}

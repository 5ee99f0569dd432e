/** What a rollout job carries through BullMQ, and its progress. */
import type { ScoreRequest } from '../scoring/schema.ts'

export interface RolloutJobData {
  /** The client's rollout id. */
  id: string
  run: string
  policy_version: number | null
  /** Groups in the rollout (progress total). */
  total: number
  request: ScoreRequest
  /** Code tests whose numbers plain JSON would change: [group index, lossless JSON text] (numbers.ts). */
  tests_text?: Array<[number, string]>
}

export interface RolloutProgress {
  scored: number
  total: number
}

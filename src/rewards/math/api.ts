/**
 * Contract of the math verifier (implemented in this folder).
 * The scoring service and /v1/verify/math call only what is declared here.
 */
import type { RewardStatus, TemplateTags } from '../types.ts'

export interface MathCheckInput {
  /** Reference answer as written by the dataset (LaTeX or plain text); never "extracted" beyond \boxed unwrapping. */
  gold: string
  /** Either a whole completion (extract=true) or an answer string used as given (extract=false). */
  prediction: string
  extract: boolean
  /** Template tags used for extraction (default think/answer). */
  tags?: TemplateTags
  /** Decimal rounding: 'off' (default) or 'gold_precision' (a longer decimal matches the decimal gold it rounds to). */
  rounding?: 'off' | 'gold_precision'
}

export interface MathSide {
  /** The answer text that was taken from the input (null: nothing found). */
  extracted: string | null
  /** A printable form of what the parser produced (null: did not parse). */
  parsed: string | null
}

export interface MathCheckResult {
  status: RewardStatus
  /** null unless status is 'ok'. */
  equivalent: boolean | null
  /** The rule that decided (e.g. 'exact_rational', 'symbolic', 'numeric_points', 'set', 'interval', 'text'). */
  rule: string | null
  reason?: string
  /** For rule 'hedge': the distinct values the completion committed to. */
  details?: { candidates: string[] }
  gold: MathSide
  prediction: MathSide
  elapsed_ms: number
}

export interface MathVerifierOptions {
  /** Worker threads in the pool. */
  threads: number
  /** Per-check deadline; a check past it is killed (its worker replaced) and answers status 'timeout'. */
  deadlineMs: number
}

export interface MathVerifier {
  check (input: MathCheckInput, opts?: { signal?: AbortSignal }): Promise<MathCheckResult>
  /** Same as check for many inputs; results in input order. */
  checkMany (inputs: MathCheckInput[], opts?: { signal?: AbortSignal }): Promise<MathCheckResult[]>
  close (): Promise<void>
}

/**
 * Soft overlong punishment (DAPO): with L the length, L_max = max_length and L_cache = buffer,
 * 0 when L ≤ L_max − L_cache; ((L_max − L_cache) − L) / L_cache when L_max − L_cache < L ≤ L_max; −1 beyond L_max.
 */
import type { ComponentResult } from '../types.ts'

export function overlongReward (length: number, maxLength: number, buffer: number): ComponentResult {
  const free = maxLength - buffer
  const score = length <= free ? 0 : length <= maxLength ? (free - length) / buffer : -1
  return { score: score === 0 ? 0 : score, status: 'ok', details: { length } }
}

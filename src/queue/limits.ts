/**
 * Limits the queue checks on what it accepts and what it hands to trainers. Metadata is echoed to trainers
 * untouched, so its nesting is bounded at submission: a group nested thousands deep would make a JSON
 * parser with a recursion limit (Python's json) fail on every lease that holds it, and stall the run.
 */

/** True when `value` nests objects/arrays deeper than `max` (iterative: no recursion on hostile input). */
export function metadataTooDeep (value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (depth > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
    }
  }
  return false
}

/** True when every advantage is a finite number (eps 0 over an all-equal group gives 0/0). */
export function finiteAdvantages (advantages: unknown[]): boolean {
  return advantages.every(a => typeof a === 'number' && Number.isFinite(a))
}

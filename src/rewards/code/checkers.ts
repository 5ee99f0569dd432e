/**
 * Built-in stdout checkers (stdio tests with `checker: {type: 'builtin', name}`), applied outside every jail:
 * - tokens: the whitespace-separated tokens are equal, line breaks ignored;
 * - float: tokens, where two numeric tokens match when |a-b| <= abs_tol or |a-b| <= rel_tol*|b|
 *   (1e-6 for both when neither is given); other tokens exactly; NaN and infinities never match;
 * - unordered_lines: the same multiset of lines (each line's tokens joined by one space; trailing blank lines dropped);
 * - yes_no: tokens equal ignoring ASCII case (YES/Yes/yes).
 */
import type { Checker } from './schema.ts'
import { normaliseOutput } from './compare.ts'

const NUM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

function tokens (s: string): string[] {
  const t = s.trim()
  return t === '' ? [] : t.split(/\s+/)
}

function floatEq (a: string, b: string, abs: number, rel: number): boolean {
  if (a === b) return true
  if (!NUM.test(a) || !NUM.test(b)) return false
  const x = Number(a)
  const y = Number(b)
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false
  const d = Math.abs(x - y)
  return d <= abs || d <= rel * Math.abs(y)
}

export function builtinAccepts (checker: Extract<Checker, { type: 'builtin' }>, actual: string, expected: string): boolean {
  switch (checker.name) {
    case 'tokens': {
      const a = tokens(actual)
      const e = tokens(expected)
      return a.length === e.length && a.every((t, i) => t === e[i])
    }
    case 'yes_no': {
      const a = tokens(actual)
      const e = tokens(expected)
      return a.length === e.length && a.every((t, i) => t.toLowerCase() === e[i]?.toLowerCase())
    }
    case 'float': {
      const none = checker.abs_tol === undefined && checker.rel_tol === undefined
      const abs = checker.abs_tol ?? (none ? 1e-6 : -1)
      const rel = checker.rel_tol ?? (none ? 1e-6 : -1)
      const a = tokens(actual)
      const e = tokens(expected)
      return a.length === e.length && a.every((t, i) => floatEq(t, e[i] as string, abs, rel))
    }
    case 'unordered_lines': {
      const norm = (s: string): string[] => normaliseOutput(s).map(l => tokens(l).join(' ')).sort()
      const a = norm(actual)
      const e = norm(expected)
      return a.length === e.length && a.every((l, i) => l === e[i])
    }
  }
}

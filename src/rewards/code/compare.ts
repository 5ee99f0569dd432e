/**
 * Comparison rules, applied outside every sandbox, for every language (README.md documents them).
 * - call: the sandbox's tagged JSON (sandboxes/python/codec.py, sandboxes/javascript/c-realm.js) against the
 *   expected plain JSON as it was written (lossless.ts keeps `5.0`, `1e3` and integers past 2^53):
 *   an expected number written with a decimal point or an exponent is a float, compared within tolerance;
 *   any other is an integer, compared exactly (a returned float equals it only when finite and exactly
 *   integral). No NaN or infinity matches any number. Booleans are not numbers. Containers compare by type
 *   and order; tuples are lists; with `unordered`, sets (any depth) and the top-level list match an expected
 *   list as a multiset; without it a set matches nothing. Dict keys match their JSON spelling.
 * - stdio: CRLF/CR → LF, trailing whitespace per line dropped, trailing blank lines dropped, the same
 *   number of lines, tokens equal or numeric by the same integer/float rule. Never a prefix match.
 */
import { numberText } from './lossless.ts'

export const DEFAULT_FLOAT_TOLERANCE = 1e-6

export interface MatchOptions {
  /** Floats match when |a-b| <= tol * max(1, |b|). */
  tol?: number
  /** Sets and the top-level list match an expected list in any order (a multiset). */
  unordered?: boolean
}

type Num = { int: bigint } | { float: number }

function isPlainObject (x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

/** An expected number: its written text decides int or float; without text, the value's own kind. */
function expectedNum (v: number, text: string | undefined): Num {
  if (text !== undefined) return /[.eE]/.test(text) ? { float: Number(text) } : { int: BigInt(text) }
  return Number.isInteger(v) ? { int: BigInt(v) } : { float: v }
}

/** A returned number (plain, $int/$bigint digits, $float repr), or null when `x` is no number. */
function actualNum (x: unknown): Num | null {
  if (typeof x === 'number') return Number.isInteger(x) ? { int: BigInt(x) } : { float: x }
  if (!isPlainObject(x)) return null
  const keys = Object.keys(x)
  if (keys.length !== 1) return null
  const body = x[keys[0] as string]
  if ((keys[0] === '$int' || keys[0] === '$bigint') && typeof body === 'string' && /^-?\d+$/.test(body)) return { int: BigInt(body) }
  if (keys[0] === '$float' && typeof body === 'string') {
    const f = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(body) ? Number(body) : NaN // 'inf', 'nan': never a number
    return { float: f }
  }
  return null
}

function close (a: number, b: number, tol: number): boolean {
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b))
}

function numMatches (a: Num, e: Num, tol: number): boolean {
  if ('int' in e) {
    if ('int' in a) return a.int === e.int
    return Number.isFinite(a.float) && Number.isInteger(a.float) && BigInt(a.float) === e.int
  }
  return close('int' in a ? Number(a.int) : a.float, e.float, tol)
}

function listEq (items: unknown[], expected: unknown, o: Required<MatchOptions>): boolean {
  return Array.isArray(expected) && expected.length === items.length &&
    items.every((x, i) => matches(x, expected[i], o, numberText(expected, i)))
}

/** Multiset match (greedy: each returned item takes the first unused expected item it matches). */
function multisetEq (items: unknown[], expected: unknown, o: Required<MatchOptions>): boolean {
  if (!Array.isArray(expected) || expected.length !== items.length) return false
  const used = new Array<boolean>(expected.length).fill(false)
  return items.every(x => {
    const j = expected.findIndex((e, k) => !used[k] && matches(x, e, o, numberText(expected, k)))
    if (j < 0) return false
    used[j] = true
    return true
  })
}

function keySpelling (k: unknown): string | null {
  if (typeof k === 'string') return k
  if (typeof k === 'number') return Number.isInteger(k) ? String(k) : JSON.stringify(k)
  if (typeof k === 'boolean') return k ? 'true' : 'false'
  if (k === null) return 'null'
  const n = actualNum(k)
  if (n !== null && 'int' in n) return String(n.int)
  return null
}

function matches (actual: unknown, expected: unknown, o: Required<MatchOptions>, text: string | undefined, top = false): boolean {
  if (actual === null || typeof actual === 'string' || typeof actual === 'boolean') return actual === expected
  const a = actualNum(actual)
  if (a !== null) return typeof expected === 'number' && numMatches(a, expectedNum(expected, text), o.tol)
  if (Array.isArray(actual)) return top && o.unordered ? multisetEq(actual, expected, o) : listEq(actual, expected, o)
  if (!isPlainObject(actual)) return false
  const entries = Object.entries(actual)
  if (entries.length !== 1) return false
  const [tag, body] = entries[0] as [string, unknown]
  switch (tag) {
    case '$tuple':
      return Array.isArray(body) && (top && o.unordered ? multisetEq(body, expected, o) : listEq(body, expected, o))
    case '$set':
    case '$frozenset':
      return o.unordered && Array.isArray(body) && multisetEq(body, expected, o)
    case '$dict':
    case '$obj':
    case '$map': {
      if (!Array.isArray(body) || !isPlainObject(expected)) return false
      const keys = Object.keys(expected)
      if (keys.length !== body.length) return false
      const seen = new Set<string>()
      for (const pair of body) {
        if (!Array.isArray(pair) || pair.length !== 2) return false
        const k = keySpelling(pair[0])
        if (k === null || seen.has(k) || !Object.hasOwn(expected, k)) return false
        seen.add(k)
        if (!matches(pair[1], expected[k], o, numberText(expected, k))) return false
      }
      return true
    }
    default:
      return false // $iter, $range, $bytes, $complex, $undef, $h, …: no plain-JSON equal
  }
}

/**
 * Does a sandbox value (tagged JSON) equal the expected plain-JSON value? `text` is the expected number's
 * written form when it is a number (see caseMatches, which finds it).
 */
export function valueMatches (actual: unknown, expected: unknown, opts: MatchOptions | number = {}, text?: string): boolean {
  const o = typeof opts === 'number' ? { tol: opts } : opts
  return matches(actual, expected, { tol: o.tol ?? DEFAULT_FLOAT_TOLERANCE, unordered: o.unordered ?? false }, text, true)
}

/** The call rule for one case `{args, expected}` as the request wrote it (its numbers' texts included). */
export function caseMatches (actual: unknown, testCase: { expected?: unknown }, opts: MatchOptions = {}): boolean {
  return valueMatches(actual, testCase.expected, opts, numberText(testCase, 'expected'))
}

/** Short printable form of a sandbox value for a wrong_answer detail. */
export function preview (x: unknown, max = 200): string {
  let s: string
  try { s = JSON.stringify(x) ?? String(x) } catch { s = String(x) }
  return s.length > max ? s.slice(0, max) + '…' : s
}

const NUM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const INT = /^[+-]?\d+$/

/** The exact integer a decimal token denotes, or null when it is not an integer (or absurdly large). */
function exactInteger (tok: string): bigint | null {
  const m = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(tok)
  if (m === null) return null
  let digits = (m[2] ?? '') + (m[3] ?? '')
  let exp = Number(m[4] ?? '0') - (m[3] ?? '').length
  while (digits.length > 1 && digits.endsWith('0') && exp < 0) { digits = digits.slice(0, -1); exp++ }
  if (/^0*$/.test(digits)) return 0n
  if (exp < 0 || exp > 4000) return null
  return BigInt((m[1] === '-' ? '-' : '') + digits) * 10n ** BigInt(exp)
}

function tokenEq (a: string, b: string, tol: number): boolean {
  if (a === b) return true
  if (!NUM.test(a) || !NUM.test(b)) return false
  if (INT.test(b)) {
    const x = exactInteger(a)
    return x !== null && x === BigInt(b)
  }
  return close(Number(a), Number(b), tol)
}

export function normaliseOutput (s: string): string[] {
  const lines = s.replace(/\r\n?/g, '\n').split('\n').map(l => l.trimEnd())
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** stdio rule: same number of lines after normalisation, each line equal token by token. */
export function outputMatches (actual: string, expected: string, tol = DEFAULT_FLOAT_TOLERANCE): boolean {
  const a = normaliseOutput(actual)
  const e = normaliseOutput(expected)
  if (a.length !== e.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string
    const y = e[i] as string
    if (x === y) continue
    const xt = x.trim().split(/\s+/)
    const yt = y.trim().split(/\s+/)
    if (xt.length !== yt.length || !xt.every((t, k) => tokenEq(t, yt[k] as string, tol))) return false
  }
  return true
}

/**
 * Plain JSON (request side) → tagged JSON for a Python sandbox, numbers as written: objects become
 * {"$dict": pairs}, numbers written as floats {"$float": text}, integers past 2^53 {"$int": digits}.
 */
export function toTagged (x: unknown, text?: string): unknown {
  if (typeof x === 'number') {
    const n = expectedNum(x, text)
    if ('float' in n) return { $float: Number.isFinite(n.float) ? String(n.float) : (text ?? String(n.float)) }
    return n.int >= -(2n ** 53n) && n.int <= 2n ** 53n ? Number(n.int) : { $int: String(n.int) }
  }
  if (Array.isArray(x)) return x.map((v, i) => toTagged(v, numberText(x, i)))
  if (isPlainObject(x)) return { $dict: Object.entries(x).map(([k, v]) => [k, toTagged(v, numberText(x, k))]) }
  return x
}

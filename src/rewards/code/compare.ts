/**
 * Comparison rules, applied outside every sandbox (README.md documents them).
 * - call: the sandbox's tagged JSON (see sandboxes/python/codec.py, sandboxes/javascript/c-realm.js)
 *   against the plain-JSON expected value. Integers compare exactly, other numbers within tolerance;
 *   booleans are not numbers; tuples match arrays; sets match arrays in any order; dict keys match
 *   their JSON spelling; iterators, ranges, bytes, opaque objects and NaN never match plain JSON.
 * - stdio: CRLF/CR → LF, trailing whitespace per line dropped, trailing blank lines dropped, the same
 *   number of lines, tokens equal or numeric within tolerance. Never a prefix match.
 */

export const DEFAULT_FLOAT_TOLERANCE = 1e-6

function numEq (a: number, b: number, tol: number): boolean {
  if (Number.isInteger(a) && Number.isInteger(b)) return a === b
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b))
}

function isPlainObject (x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function keySpelling (k: unknown): string | null {
  if (typeof k === 'string') return k
  if (typeof k === 'number') return Number.isInteger(k) ? String(k) : JSON.stringify(k)
  if (typeof k === 'boolean') return k ? 'true' : 'false'
  if (k === null) return 'null'
  return null
}

function listEq (items: unknown[], expected: unknown, tol: number): boolean {
  return Array.isArray(expected) && expected.length === items.length &&
    items.every((x, i) => valueMatches(x, expected[i], tol))
}

function unorderedEq (items: unknown[], expected: unknown, tol: number): boolean {
  if (!Array.isArray(expected) || expected.length !== items.length) return false
  const used = new Array<boolean>(expected.length).fill(false)
  return items.every(x => {
    const j = expected.findIndex((e, k) => !used[k] && valueMatches(x, e, tol))
    if (j < 0) return false
    used[j] = true
    return true
  })
}

/** Does a sandbox value (tagged JSON) equal the expected plain-JSON value? */
export function valueMatches (actual: unknown, expected: unknown, tol = DEFAULT_FLOAT_TOLERANCE): boolean {
  if (actual === null || typeof actual === 'string' || typeof actual === 'boolean') return actual === expected
  if (typeof actual === 'number') return typeof expected === 'number' && numEq(actual, expected, tol)
  if (Array.isArray(actual)) return listEq(actual, expected, tol)
  if (!isPlainObject(actual)) return false
  const entries = Object.entries(actual)
  if (entries.length !== 1) return false
  const [tag, body] = entries[0] as [string, unknown]
  switch (tag) {
    case '$int':
    case '$bigint':
      if (typeof body !== 'string' || !/^-?\d+$/.test(body)) return false
      if (typeof expected === 'number') return Number.isInteger(expected) && BigInt(body) === BigInt(expected)
      return typeof expected === 'string' && /^-?\d+$/.test(expected) && BigInt(body) === BigInt(expected)
    case '$tuple':
      return Array.isArray(body) && listEq(body, expected, tol)
    case '$set':
    case '$frozenset':
      return Array.isArray(body) && unorderedEq(body, expected, tol)
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
        if (!valueMatches(pair[1], expected[k], tol)) return false
      }
      return true
    }
    default:
      return false // $float (nan/inf), $iter, $range, $bytes, $complex, $undef, $h, …: no plain-JSON equal
  }
}

/** Short printable form of a sandbox value for a wrong_answer detail. */
export function preview (x: unknown, max = 200): string {
  let s: string
  try { s = JSON.stringify(x) ?? String(x) } catch { s = String(x) }
  return s.length > max ? s.slice(0, max) + '…' : s
}

const NUM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const INT = /^[+-]?\d+$/

function tokenEq (a: string, b: string, tol: number): boolean {
  if (a === b) return true
  if (!NUM.test(a) || !NUM.test(b)) return false
  if (INT.test(a) && INT.test(b)) return BigInt(a) === BigInt(b)
  return numEq(Number(a), Number(b), tol)
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

/** Plain JSON (request side) → tagged JSON for a Python sandbox: objects become {"$dict": pairs}. */
export function toTagged (x: unknown): unknown {
  if (Array.isArray(x)) return x.map(toTagged)
  if (isPlainObject(x)) return { $dict: Object.entries(x).map(([k, v]) => [k, toTagged(v)]) }
  return x
}

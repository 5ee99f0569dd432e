/** Exact rationals over BigInt, always normalised (gcd 1, positive denominator). */
export interface Rat { n: bigint, d: bigint }

/** Thrown when exact arithmetic would exceed the size caps (hostile input such as 9^{9^9}). */
export class ResourceError extends Error {}

/** Largest exact result we accept, in bits of numerator or denominator. */
export const MAX_BITS = 20_000

function gcd (a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a
  if (b < 0n) b = -b
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}

export function bitLength (x: bigint): number {
  if (x < 0n) x = -x
  return x === 0n ? 0 : x.toString(16).length * 4
}

export function rat (n: bigint, d: bigint = 1n): Rat {
  if (d === 0n) throw new RangeError('division by zero')
  if (d < 0n) { n = -n; d = -d }
  const g = gcd(n, d)
  const r = g === 1n ? { n, d } : { n: n / g, d: d / g }
  if (bitLength(r.n) > MAX_BITS || bitLength(r.d) > MAX_BITS) throw new ResourceError('number too large')
  return r
}

export const ZERO = rat(0n)
export const ONE = rat(1n)

export const add = (a: Rat, b: Rat): Rat => rat(a.n * b.d + b.n * a.d, a.d * b.d)
export const sub = (a: Rat, b: Rat): Rat => rat(a.n * b.d - b.n * a.d, a.d * b.d)
export const mul = (a: Rat, b: Rat): Rat => rat(a.n * b.n, a.d * b.d)
export const div = (a: Rat, b: Rat): Rat => rat(a.n * b.d, a.d * b.n)
export const neg = (a: Rat): Rat => ({ n: -a.n, d: a.d })
export const eq = (a: Rat, b: Rat): boolean => a.n === b.n && a.d === b.d
export const cmp = (a: Rat, b: Rat): number => {
  const x = a.n * b.d - b.n * a.d
  return x < 0n ? -1 : x > 0n ? 1 : 0
}
export const isInt = (a: Rat): boolean => a.d === 1n

/** a^k for an integer k; refuses results past MAX_BITS before computing them. */
export function powInt (a: Rat, k: bigint): Rat {
  if (k < 0n) {
    if (a.n === 0n) throw new RangeError('division by zero')
    return powInt(rat(a.d, a.n), -k)
  }
  const bits = Math.max(bitLength(a.n), bitLength(a.d))
  if (bits > 1 && Number(k) * (bits - 1) > MAX_BITS) throw new ResourceError('power too large')
  return rat(a.n ** k, a.d ** k)
}

/** Exact integer k-th root if there is one. */
export function rootInt (x: bigint, k: number): bigint | null {
  if (x < 0n) {
    if (k % 2 === 0) return null
    const r = rootInt(-x, k)
    return r === null ? null : -r
  }
  if (x < 2n) return x
  let r = BigInt(Math.round(Number(x) ** (1 / k)))
  if (!Number.isFinite(Number(x))) {
    // Newton iteration for very large x
    r = 1n << BigInt(Math.ceil(bitLength(x) / k))
    for (let i = 0; i < 2000; i++) {
      const next = ((BigInt(k) - 1n) * r + x / r ** BigInt(k - 1)) / BigInt(k)
      if (next >= r) break
      r = next
    }
  }
  for (const c of [r - 1n, r, r + 1n]) if (c >= 0n && c ** BigInt(k) === x) return c
  return null
}

export function factorial (a: Rat): Rat {
  if (a.d !== 1n || a.n < 0n) throw new RangeError('factorial of non-natural number')
  if (a.n > 3000n) throw new ResourceError('factorial too large')
  let r = 1n
  for (let i = 2n; i <= a.n; i++) r *= i
  return rat(r)
}

export const toNumber = (a: Rat): number => {
  const v = Number(a.n) / Number(a.d)
  if (Number.isFinite(v)) return v
  // scale down huge numerators and denominators together
  const shift = BigInt(Math.max(bitLength(a.n), bitLength(a.d)) - 1000)
  return Number(a.n >> shift) / Number(a.d >> shift)
}

export function parseDecimal (s: string): Rat {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s)
  if (m === null) throw new SyntaxError('bad number ' + s)
  const int = m[1] ?? ''
  const frac = m[2] ?? ''
  if (int.length + frac.length > 4000) throw new ResourceError('number literal too long')
  return rat(BigInt((int + frac) || '0'), 10n ** BigInt(frac.length))
}

export function ratToString (a: Rat): string {
  return a.d === 1n ? a.n.toString() : `${a.n}/${a.d}`
}

/** Small numeric helpers for the eval metrics: a seeded PRNG and a saturating binomial coefficient. */

/** mulberry32: a fast 32-bit PRNG; the same seed gives the same sequence. */
export function mulberry32 (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** C(n, k) as a double (Infinity past ~1e308); exact for the small values it is compared against. */
export function binomial (n: number, k: number): number {
  if (k < 0 || k > n) return 0
  const m = Math.min(k, n - k)
  let r = 1
  for (let i = 1; i <= m; i++) r = r * (n - m + i) / i
  return Math.round(r)
}

/**
 * Unbiased pass@k (Chen et al. 2021, "Evaluating Large Language Models Trained on Code", eq. 1):
 *   pass@k = 1 − C(n−c, k) / C(n, k)
 * for n samples of which c are correct. Computed as the product 1 − ∏_{i=n−c+1}^{n} (1 − k/i), which never
 * forms a binomial coefficient (C(200,100) overflows doubles long before the ratio loses precision).
 */
export function passAtK (n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k)) throw new RangeError('n, c and k must be integers')
  if (k < 1 || k > n) throw new RangeError(`pass@k needs 1 ≤ k ≤ n (k=${k}, n=${n})`)
  if (c < 0 || c > n) throw new RangeError(`c must lie in [0, n] (c=${c}, n=${n})`)
  if (n - c < k) return 1
  let fail = 1
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i
  return 1 - fail
}

/** The k values reported by default: powers of two up to n, and n itself. */
export function defaultKs (maxN: number): number[] {
  const ks: number[] = []
  for (let k = 1; k <= maxN; k *= 2) ks.push(k)
  if (maxN >= 1 && ks[ks.length - 1] !== maxN) ks.push(maxN)
  return ks
}

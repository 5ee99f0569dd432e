/** Minimal complex arithmetic for numeric evaluation (principal branches). */
export interface C { re: number, im: number }

export const c = (re: number, im = 0): C => ({ re, im })
export const cadd = (a: C, b: C): C => c(a.re + b.re, a.im + b.im)
export const csub = (a: C, b: C): C => c(a.re - b.re, a.im - b.im)
export const cmul = (a: C, b: C): C => c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
export const cneg = (a: C): C => c(-a.re, -a.im)
export function cdiv (a: C, b: C): C {
  const d = b.re * b.re + b.im * b.im
  return c((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d)
}
export const cabs = (a: C): number => Math.hypot(a.re, a.im)
export const isReal = (a: C): boolean => Math.abs(a.im) <= 1e-12 * Math.max(1, Math.abs(a.re))
export const finite = (a: C): boolean => Number.isFinite(a.re) && Number.isFinite(a.im)

export function cexp (a: C): C {
  const m = Math.exp(a.re)
  return a.im === 0 ? c(m) : c(m * Math.cos(a.im), m * Math.sin(a.im))
}
export function clog (a: C): C {
  return a.im === 0 && a.re > 0 ? c(Math.log(a.re)) : c(Math.log(cabs(a)), Math.atan2(a.im, a.re))
}
export function cpow (a: C, b: C): C {
  if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) <= 64) {
    let r = c(1)
    let base = b.re < 0 ? cdiv(c(1), a) : a
    let k = Math.abs(b.re)
    while (k > 0) {
      if (k & 1) r = cmul(r, base)
      base = cmul(base, base)
      k >>= 1
    }
    return r
  }
  if (a.re === 0 && a.im === 0) return b.re > 0 ? c(0) : c(NaN)
  if (a.im === 0 && b.im === 0 && a.re > 0) return c(Math.pow(a.re, b.re))
  return cexp(cmul(b, clog(a)))
}
export function csqrt (a: C): C {
  if (a.im === 0) return a.re >= 0 ? c(Math.sqrt(a.re)) : c(0, Math.sqrt(-a.re))
  return cpow(a, c(0.5))
}
/** Real k-th root for real input and odd k (\sqrt[3]{-8} = -2), principal otherwise. */
export function croot (a: C, k: C): C {
  if (a.im === 0 && k.im === 0 && Number.isInteger(k.re) && k.re % 2 === 1 && a.re < 0) return c(-Math.pow(-a.re, 1 / k.re))
  return cpow(a, cdiv(c(1), k))
}
export function csin (a: C): C {
  return a.im === 0 ? c(Math.sin(a.re)) : c(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im))
}
export function ccos (a: C): C {
  return a.im === 0 ? c(Math.cos(a.re)) : c(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im))
}

/**
 * JSON text in which every number is written as a float: `2.0`, never `2`. Python's json module turns `2` into
 * an int, and torch builds an int64 tensor from a list of ints (whose std/mean then fail); `2.0` reaches Python as
 * a float. Non-finite numbers have no JSON form: the caller replaces them first (this throws on one, it never
 * writes NaN or null in their place).
 */
export function floatJson (value: unknown): string {
  if (typeof value === 'number') return floatNumber(value)
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(floatJson).join(',')}]`
  if (typeof value === 'object') {
    const parts: string[] = []
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${floatJson(v)}`)
    }
    return `{${parts.join(',')}}`
  }
  throw new TypeError(`floatJson: cannot write a ${typeof value}`)
}

function floatNumber (x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`floatJson: ${x} has no JSON form`)
  const s = Object.is(x, -0) ? '-0' : String(x)
  // String() gives '2', '0.5', '1e+21', '1e-7': only a plain integer lacks a fraction or an exponent.
  return /[.eE]/.test(s) ? s : `${s}.0`
}

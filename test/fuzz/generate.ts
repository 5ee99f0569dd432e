/**
 * Seeded bodies from the OpenAPI document's JSON schemas: mostly valid values, with mutations that a
 * hostile client would send (wrong types, missing fields, extreme numbers, long and odd strings, deep
 * nesting). Deterministic for a seed.
 */
export type Rng = () => number

/** mulberry32: a small seeded PRNG. */
export function rng (seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Schema = Record<string, unknown>

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T

const ODD_NUMBERS = [0, -1, 1e308, -1e308, 5e-324, 2 ** 53 + 1, -0, 1e15, 0.5, 1000]
const ODD_STRINGS = ['', 'a', 'x'.repeat(300), '\u{1F600}'.repeat(50), '../../etc/passwd', '<think></think><answer>1</answer>', '\\frac{1}{2}', '9^{9^{9^{9}}}', '\\sum_{n=1}^{10^{12}} n', 'ä'.repeat(70), '$(rm -rf /)', '{"type":"code"}', 'run-1.00000000-0000-0000-0000-000000000000']

export class Generator {
  constructor (private readonly doc: { components?: { schemas?: Record<string, Schema> } }, private readonly r: Rng) {}

  private deref (s: Schema): Schema {
    const ref = s.$ref
    if (typeof ref === 'string') {
      const name = ref.replace('#/components/schemas/', '')
      return this.deref(this.doc.components?.schemas?.[name] ?? {})
    }
    return s
  }

  /** A value for the schema; `hostile` is the chance, at each node, of a mutation instead. */
  value (schema: Schema, hostile: number, depth = 0): unknown {
    const r = this.r
    const s = this.deref(schema)
    if (depth > 8) return null
    if (r() < hostile) return this.mutation(s)
    if ('const' in s) return s.const
    if (Array.isArray(s.enum)) return pick(r, s.enum)
    const branches = (s.anyOf ?? s.oneOf) as Schema[] | undefined
    if (Array.isArray(branches) && branches.length > 0) return this.value({ ...pick(r, branches) }, hostile, depth + 1)
    const type = Array.isArray(s.type) ? pick(r, s.type as string[]) : s.type
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {}
        const props = (s.properties ?? {}) as Record<string, Schema>
        const required = new Set((s.required ?? []) as string[])
        for (const [k, v] of Object.entries(props)) {
          if (required.has(k) || r() < 0.5) out[k] = this.value(v, hostile, depth + 1)
        }
        return out
      }
      case 'array': {
        const min = Number(s.minItems ?? 0)
        const n = Math.min(Number(s.maxItems ?? 4), min + Math.floor(r() * 3))
        return Array.from({ length: n }, () => this.value((s.items ?? {}) as Schema, hostile, depth + 1))
      }
      case 'string': {
        if (typeof s.pattern === 'string') return pick(r, ['run-1', 'default', 'abc', 'A_b.c-9', '1'])
        const min = Number(s.minLength ?? 0)
        const max = Number(s.maxLength ?? 40)
        const len = Math.min(max, min + Math.floor(r() * 12))
        return pick(r, ['x', '1/2', '\\boxed{3}', '42', 'print(1)', 'def f(x):\n  return x']).padEnd(len, 'z').slice(0, Math.max(len, 1))
      }
      case 'integer': {
        const min = Number(s.minimum ?? 0)
        const max = Math.min(Number(s.maximum ?? min + 100), min + 100)
        return min + Math.floor(r() * (max - min + 1))
      }
      case 'number': {
        const min = Number(s.minimum ?? s.exclusiveMinimum ?? 0)
        return min + r() * 10 + (s.exclusiveMinimum !== undefined ? 1e-3 : 0)
      }
      case 'boolean': return r() < 0.5
      case 'null': return null
      default: return pick(r, [1, 'x', null, {}, []])
    }
  }

  private mutation (s: Schema): unknown {
    const r = this.r
    switch (Math.floor(r() * 7)) {
      case 0: return pick(r, ODD_NUMBERS)
      case 1: return pick(r, ODD_STRINGS)
      case 2: return null
      case 3: return nested(Math.floor(r() * 60) + 1)
      case 4: return Array.from({ length: Math.floor(r() * 5) }, () => pick(r, ODD_STRINGS))
      case 5: return { ...(s.type === 'object' ? { __proto__: { admin: true }, constructor: { prototype: 1 } } : {}), unexpected: 1 }
      default: return typeof s.type === 'string' && s.type === 'string' ? 'x'.repeat(1 + Math.floor(r() * 5000)) : true
    }
  }
}

/** An object nested `depth` levels deep. */
export function nested (depth: number): unknown {
  let v: unknown = 'leaf'
  for (let i = 0; i < depth; i++) v = { a: v }
  return v
}

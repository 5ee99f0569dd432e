/** Deterministic random numbers seeded from the inputs, so a check is repeatable. */
export interface Rng { next: () => number }

export function seedFrom (...parts: string[]): number {
  let h = 2166136261
  for (const s of parts) {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619)
    h = Math.imul(h ^ 0x1f, 16777619)
  }
  return h >>> 0
}

/** mulberry32 */
export function rng (seed: number): Rng {
  let a = seed >>> 0
  return {
    next () {
      a = (a + 0x6d2b79f5) >>> 0
      let t = a
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }
}

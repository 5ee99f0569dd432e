/**
 * Lossless numbers for code tests. JSON.parse turns `5.0` into 5, `1e3` into 1000 and 18446744073709551615
 * into 18446744073709551616; the comparison rules need what was written. annotateNumbers walks the JSON text
 * beside the value JSON.parse made of it and records, per container (object or array), the text of every
 * number member written with a decimal point or an exponent, or outside the safe-integer range. The values
 * stay plain numbers (schemas, logs and replies see no difference); compare.ts asks numberText().
 * The body parser calls annotateNumbers for bodies that carry code tests (src/http/plugins/body.ts).
 * Annotations live on the parsed objects: a copy (structuredClone, JSON round trip) loses them; losslessJson
 * writes the text that keeps them (the rollout queue stores it beside a job's code tests).
 */

const texts = new WeakMap<object, Map<string | number, string>>()

/** The number text recorded for holder[key], or undefined (then the plain value is all there is). */
export function numberText (holder: unknown, key: string | number): string | undefined {
  return typeof holder === 'object' && holder !== null ? texts.get(holder)?.get(key) : undefined
}

function record (holder: object, key: string | number, text: string): void {
  let m = texts.get(holder)
  if (m === undefined) texts.set(holder, m = new Map())
  m.set(key, text)
}

const WS = new Set([32, 9, 10, 13])

/** Annotates `root` (the result of JSON.parse(text)); never throws (an odd text just records less). */
export function annotateNumbers (root: unknown, text: string): void {
  let i = 0
  const n = text.length
  const ws = (): void => { while (i < n && WS.has(text.charCodeAt(i))) i++ }
  const str = (): string => {
    const start = i++
    let esc = false
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === 92) { esc = true; i += 2; continue }
      if (c === 34) break
      i++
    }
    i++
    const raw = text.slice(start, i)
    return esc ? JSON.parse(raw) as string : raw.slice(1, -1)
  }
  // iterative walk: a stack of open containers, so deep nesting cannot overflow the JS stack
  const stack: Array<{ v: unknown, obj: boolean, idx: number }> = []
  const member = (holder: { v: unknown }, key: string | number): unknown => {
    const h = holder.v
    return typeof h === 'object' && h !== null ? (h as Record<string | number, unknown>)[key] : undefined
  }
  try {
    let pendingKey: string | number = ''
    let current: unknown = root
    for (;;) {
      ws()
      const c = text[i]
      if (c === '{' || c === '[') {
        i++
        stack.push({ v: current, obj: c === '{', idx: 0 })
        ws()
        if (text[i] === '}' || text[i] === ']') { i++; stack.pop() } else {
          const top = stack[stack.length - 1] as { v: unknown, obj: boolean, idx: number }
          if (top.obj) { pendingKey = str(); ws(); i++ } else pendingKey = 0
          current = member(top, pendingKey)
          continue
        }
      } else if (c === '"') {
        str()
      } else if (c === 't' || c === 'n') {
        i += 4
      } else if (c === 'f') {
        i += 5
      } else {
        const start = i
        while (i < n && '+-0123456789.eE'.includes(text[i] as string)) i++
        const tok = text.slice(start, i)
        const top = stack[stack.length - 1]
        if (top !== undefined && top.v !== null && typeof top.v === 'object' &&
            (/[.eE]/.test(tok) || !Number.isSafeInteger(current))) record(top.v, pendingKey, tok)
        if (start === i) return
      }
      // after a value: close containers or move to the next member
      for (;;) {
        const top = stack[stack.length - 1]
        if (top === undefined) return
        ws()
        if (text[i] === ',') {
          i++
          ws()
          if (top.obj) { pendingKey = str(); ws(); i++ } else pendingKey = ++top.idx
          current = member(top, pendingKey)
          break
        }
        i++ // '}' or ']'
        stack.pop()
      }
    }
  } catch { /* partial annotations */ }
}

/** JSON.parse plus annotations (tests from files, the CLI, the exploit loader). */
export function parseLossless (text: string): unknown {
  const v = JSON.parse(text) as unknown
  annotateNumbers(v, text)
  return v
}

/**
 * JSON text of a parsed value with every annotated number written as it was (`5.0`, `1e3`, integers past
 * 2^53): what a copy must carry to keep the annotations (the rollout queue stores JSON). parseLossless of
 * the text gives the value and its annotations back. Plain JSON values only (what JSON.parse makes).
 */
export function losslessJson (value: unknown): string {
  return write(value, undefined, 0)
}

function write (v: unknown, holder: object | undefined, key: string | number): string {
  if (typeof v === 'number' && holder !== undefined) return numberText(holder, key) ?? JSON.stringify(v)
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null'
  if (Array.isArray(v)) return `[${v.map((x, i) => write(x, v, i)).join(',')}]`
  const parts: string[] = []
  for (const [k, x] of Object.entries(v)) if (x !== undefined) parts.push(`${JSON.stringify(k)}:${write(x, v, k)}`)
  return `{${parts.join(',')}}`
}

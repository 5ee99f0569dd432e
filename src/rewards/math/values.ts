/**
 * Turns a parsed answer into the shape that is compared: scalar, list (unordered), set, tuple/interval,
 * union, matrix, equation, inequality, labelled system, text. Labels are dropped (x = 2 is 2; (p,q) = (3,2)
 * is (3,2); AB = 4 is 4); \pm expands to both values; matrix sums and products are carried out.
 */
import type { Node } from './ast.ts'
import { CONSTANTS, show } from './ast.ts'

export type Val =
  | { t: 'expr', n: Node }
  | { t: 'text', s: string }
  | { t: 'list', items: Val[] }
  | { t: 'set', items: Val[] }
  | { t: 'tuple', items: Val[], open: string, close: string }
  | { t: 'union', parts: Val[] }
  | { t: 'matrix', rows: Node[][] }
  | { t: 'eq', lhs: Node, rhs: Node, label: string | null, value: Val }
  | { t: 'ineq', n: Node & { k: 'rel' } }
  | { t: 'system', entries: Array<[string, Val]> }
  | { t: 'diff', a: Val, b: Val }

const MAX_PM = 8

export function toVal (n: Node): Val {
  switch (n.k) {
    case 'seq': {
      if (n.open === '') return listVal(n.items)
      const items = n.items.flatMap(expandVal)
      if (n.open === '{') return { t: 'set', items }
      return { t: 'tuple', items, open: n.open, close: n.close }
    }
    case 'union': return { t: 'union', parts: n.args.map(toVal) }
    case 'setminus': return { t: 'diff', a: toVal(n.a), b: toVal(n.b) }
    case 'matrix': return { t: 'matrix', rows: n.rows }
    case 'text': return { t: 'text', s: n.s }
    case 'rel': return relVal(n)
    default: {
      const m = foldMatrix(n)
      if (m !== null) return { t: 'matrix', rows: m }
      const xs = expandPm(n)
      return xs.length === 1 ? { t: 'expr', n: xs[0] as Node } : { t: 'list', items: xs.map(x => ({ t: 'expr', n: x })) }
    }
  }
}

function expandVal (n: Node): Val[] {
  const v = toVal(n)
  return v.t === 'list' && n.k !== 'seq' ? v.items : [v]
}

/** A bare list; "x = 1, x = 2" is a list of values, "p = 5, q = 2" a labelled system. */
function listVal (items: Node[]): Val {
  const vals = items.flatMap(expandVal)
  let last: string | null = null
  const labels: Array<string | null> = vals.map(v => {
    if (v.t === 'eq' && v.label !== null) last = v.label
    return v.t === 'eq' && v.label !== null ? v.label : (v.t === 'expr' ? last : null)
  })
  const allLabelled = labels.every(l => l !== null) && vals.some(v => v.t === 'eq')
  if (allLabelled) {
    const distinct = new Set(labels)
    const values = vals.map(v => v.t === 'eq' ? v.value : v)
    if (distinct.size === 1) return { t: 'list', items: values.flatMap(v => v.t === 'list' ? v.items : [v]) }
    if (distinct.size === labels.length) return { t: 'system', entries: values.map((v, i) => [labels[i] as string, v]) }
  }
  return { t: 'list', items: vals.map(v => v.t === 'eq' && v.label !== null ? v.value : v) }
}

function relVal (n: Node & { k: 'rel' }): Val {
  if (n.ops.every(o => o === '=' || o === '≈' || o === 'in')) {
    const first = n.args[0] as Node
    const label = isLabel(first) ? show(first) : null
    // value: the last member before any ≈ (x = 1/3 ≈ 0.33 is 1/3), skipping the label
    let idx = n.args.length - 1
    const approx = n.ops.indexOf('≈')
    if (approx >= 0) idx = approx > 0 || label === null ? approx : approx + 1
    const valueNode = n.args[idx] as Node
    const lhs = label !== null ? first : n.args[n.args.length - 2] as Node
    return { t: 'eq', lhs, rhs: n.args[n.args.length - 1] as Node, label, value: toVal(valueNode) }
  }
  if (n.ops.every(o => ['<', '>', '<=', '>=', '!='].includes(o))) return { t: 'ineq', n }
  return { t: 'expr', n }
}

/** A name rather than a quantity: x, x_1, f(x), |AB|, A:B, NO/BO, (p, q), AB. */
export function isLabel (n: Node): boolean {
  switch (n.k) {
    case 'sym': return !CONSTANTS.has(n.name) || n.name === 'e'
    case 'fn': return (n.name.startsWith('call:') || n.name.startsWith('idx:') || n.name === 'abs') && n.args.every(a => isLabel(a) || a.k === 'num')
    case 'mul': case 'ratio': return n.args.every(isLabel)
    case 'div': return isLabel(n.a) && isLabel(n.b)
    case 'seq': return n.items.length > 0 && n.items.every(isLabel)
    default: return false
  }
}

/** a \pm b as [a + b, a - b]; several \pm multiply out (capped). */
export function expandPm (n: Node): Node[] {
  let out: Node[] = [n]
  for (let round = 0; round < 3; round++) {
    const next: Node[] = []
    let changed = false
    for (const x of out) {
      const r = splitFirstPm(x)
      if (r === null) next.push(x)
      else { next.push(...r); changed = true }
    }
    out = next.slice(0, MAX_PM)
    if (!changed) break
  }
  return out
}

function splitFirstPm (n: Node): Node[] | null {
  if (n.k === 'pm') {
    const plus: Node = n.a === null ? n.b : { k: 'add', args: [n.a, n.b] }
    const minus: Node = n.a === null ? { k: 'neg', a: n.b } : { k: 'add', args: [n.a, { k: 'neg', a: n.b }] }
    return n.sign > 0 ? [plus, minus] : [minus, plus]
  }
  const kids = childSlots(n)
  for (const [i, kid] of kids.entries()) {
    const r = splitFirstPm(kid)
    if (r !== null) return r.map(x => replaceChild(n, i, x))
  }
  return null
}

function childSlots (n: Node): Node[] {
  switch (n.k) {
    case 'add': case 'mul': return n.args
    case 'fn': return n.args
    case 'neg': case 'pct': case 'deg': return [n.a]
    case 'div': case 'pow': return [n.a, n.b]
    default: return []
  }
}

function replaceChild (n: Node, i: number, x: Node): Node {
  switch (n.k) {
    case 'add': case 'mul': return { ...n, args: n.args.map((a, j) => j === i ? x : a) }
    case 'fn': return { ...n, args: n.args.map((a, j) => j === i ? x : a) }
    case 'neg': case 'pct': case 'deg': return { ...n, a: x }
    case 'div': case 'pow': return i === 0 ? { ...n, a: x } : { ...n, b: x }
    default: return n
  }
}

/** Sums, differences and products involving matrices, carried out on the element expressions. */
export function foldMatrix (n: Node): Node[][] | null {
  if (n.k === 'matrix') return n.rows
  if (n.k === 'neg') { const m = foldMatrix(n.a); return m === null ? null : m.map(r => r.map(x => ({ k: 'neg', a: x }))) }
  if (n.k === 'add') {
    const ms = n.args.map(foldMatrix)
    if (ms.some(m => m === null)) return null
    const first = ms[0] as Node[][]
    if (ms.some(m => m?.length !== first.length || m[0]?.length !== first[0]?.length)) return null
    return first.map((r, i) => r.map((_, j) => ({ k: 'add', args: ms.map(m => m?.[i]?.[j] as Node) })))
  }
  if (n.k === 'mul' && n.args.some(a => a.k === 'matrix')) {
    let acc: Node[][] | null = null
    let scalar: Node[] = []
    for (const a of n.args) {
      const m = a.k === 'matrix' ? a.rows : null
      if (m === null) { scalar.push(a); continue }
      if (acc === null) { acc = m; continue }
      const left: Node[][] = acc
      if ((left[0]?.length ?? 0) !== m.length) return null
      acc = left.map(row => (m[0] ?? []).map((_, j) => ({ k: 'add', args: row.map((x, k) => ({ k: 'mul', args: [x, m[k]?.[j] as Node] })) } satisfies Node)))
    }
    if (acc === null) return null
    const s = scalar
    scalar = []
    return s.length === 0 ? acc : acc.map(r => r.map(x => ({ k: 'mul', args: [...s, x] })))
  }
  return null
}

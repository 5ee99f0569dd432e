/** The one expression form that LaTeX and plain-text answers are parsed into. */
import { ratToString, type Rat } from './rational.ts'

export type Node =
  | { k: 'num', v: Rat, places?: number }
  | { k: 'sym', name: string }
  | { k: 'add', args: Node[] }
  | { k: 'mul', args: Node[] }
  | { k: 'neg', a: Node }
  | { k: 'div', a: Node, b: Node }
  | { k: 'pow', a: Node, b: Node }
  | { k: 'fn', name: string, args: Node[] }
  | { k: 'pm', a: Node | null, b: Node, sign: 1 | -1 }
  | { k: 'pct', a: Node }
  | { k: 'deg', a: Node }
  | { k: 'seq', open: string, close: string, items: Node[] }
  | { k: 'matrix', rows: Node[][] }
  | { k: 'rel', ops: string[], args: Node[] }
  | { k: 'union', args: Node[] }
  | { k: 'text', s: string }
  | { k: 'big', op: 'sum' | 'prod', v: string, lo: Node, hi: Node, body: Node }
  | { k: 'ratio', args: Node[] }
  | { k: 'base', digits: string, base: number }
  | { k: 'setminus', a: Node, b: Node }

export const num = (v: Rat, places?: number): Node => places === undefined ? { k: 'num', v } : { k: 'num', v, places }
export const sym = (name: string): Node => ({ k: 'sym', name })
export const fn = (name: string, ...args: Node[]): Node => ({ k: 'fn', name, args })

/** Printable form used in replies ("parsed"); also the basis of the structural comparison. */
export function show (n: Node): string {
  switch (n.k) {
    case 'num': return n.places !== undefined ? decimalString(n.v, n.places) : ratToString(n.v)
    case 'sym': return n.name
    case 'add': return '(' + n.args.map(show).join(' + ') + ')'
    case 'mul': return '(' + n.args.map(show).join(' * ') + ')'
    case 'neg': return '-' + show(n.a)
    case 'div': return '(' + show(n.a) + ' / ' + show(n.b) + ')'
    case 'pow': return show(n.a) + '^' + show(n.b)
    case 'fn': return n.name + '(' + n.args.map(show).join(', ') + ')'
    case 'pm': return '(' + (n.a === null ? '' : show(n.a) + ' ') + (n.sign > 0 ? '± ' : '∓ ') + show(n.b) + ')'
    case 'pct': return show(n.a) + '%'
    case 'deg': return show(n.a) + '°'
    case 'seq': return (n.open === '' ? '' : n.open) + n.items.map(show).join(', ') + (n.close === '' ? '' : n.close)
    case 'matrix': return '[' + n.rows.map(r => '[' + r.map(show).join(', ') + ']').join(', ') + ']'
    case 'rel': return n.args.map((a, i) => (i > 0 ? ` ${n.ops[i - 1] ?? '?'} ` : '') + show(a)).join('')
    case 'union': return n.args.map(show).join(' ∪ ')
    case 'text': return JSON.stringify(n.s)
    case 'big': return `${n.op}(${n.v}=${show(n.lo)}..${show(n.hi)}, ${show(n.body)})`
    case 'ratio': return n.args.map(show).join(':')
    case 'base': return `${n.digits}_${n.base}`
    case 'setminus': return show(n.a) + ' \\ ' + show(n.b)
  }
}

function decimalString (v: Rat, places: number): string {
  const neg = v.n < 0n
  const scaled = (neg ? -v.n : v.n) * 10n ** BigInt(places) / v.d
  const s = scaled.toString().padStart(places + 1, '0')
  return (neg ? '-' : '') + (places > 0 ? s.slice(0, -places) + '.' + s.slice(-places) : s)
}

/** Free variables of an expression (bound variables of sums excluded). */
export function freeVars (n: Node, out: Set<string> = new Set(), bound: Set<string> = new Set()): Set<string> {
  switch (n.k) {
    case 'sym': if (!CONSTANTS.has(n.name) && !bound.has(n.name)) out.add(n.name); break
    case 'big': {
      freeVars(n.lo, out, bound); freeVars(n.hi, out, bound)
      const b = new Set(bound); b.add(n.v); freeVars(n.body, out, b); break
    }
    default: for (const c of children(n)) freeVars(c, out, bound)
  }
  return out
}

export const CONSTANTS = new Set(['pi', 'e', 'i', 'inf'])

export function children (n: Node): Node[] {
  switch (n.k) {
    case 'num': case 'sym': case 'text': case 'base': return []
    case 'add': case 'mul': case 'union': case 'ratio': return n.args
    case 'fn': return n.args
    case 'rel': return n.args
    case 'neg': case 'pct': case 'deg': return [n.a]
    case 'div': case 'pow': return [n.a, n.b]
    case 'pm': return n.a === null ? [n.b] : [n.a, n.b]
    case 'seq': return n.items
    case 'matrix': return n.rows.flat()
    case 'big': return [n.lo, n.hi, n.body]
    case 'setminus': return [n.a, n.b]
  }
}

/** Whether any node satisfies pred (depth first). */
export function some (n: Node, pred: (x: Node) => boolean): boolean {
  if (pred(n)) return true
  return children(n).some(c => some(c, pred))
}

/** a * b with products flattened. */
export function mulOf (a: Node, b: Node): Node {
  const args = [...(a.k === 'mul' ? a.args : [a]), ...(b.k === 'mul' ? b.args : [b])]
  return { k: 'mul', args }
}

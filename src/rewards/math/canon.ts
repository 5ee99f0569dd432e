/** Canonical printed form: sums and products flattened and sorted, numbers as exact rationals. */
import type { Node } from './ast.ts'
import { ratToString } from './rational.ts'

export function canon (n: Node): string {
  switch (n.k) {
    case 'num': return ratToString(n.v)
    case 'sym': return n.name
    case 'add': return '+(' + flat(n, 'add').map(canon).sort().join(',') + ')'
    case 'mul': return '*(' + flat(n, 'mul').map(canon).sort().join(',') + ')'
    case 'neg': return n.a.k === 'num' ? '-' + ratToString(n.a.v) : '*(-1,' + canon(n.a) + ')'
    case 'div': return '/(' + canon(n.a) + ',' + canon(n.b) + ')'
    case 'pow': return '^(' + canon(n.a) + ',' + canon(n.b) + ')'
    case 'fn': return n.name + '(' + n.args.map(canon).join(',') + ')'
    case 'big': return `${n.op}(${n.v},${canon(n.lo)},${canon(n.hi)},${canon(n.body)})`
    case 'pct': return '%(' + canon(n.a) + ')'
    case 'deg': return 'deg(' + canon(n.a) + ')'
    case 'rel': return 'rel(' + n.ops.join(',') + ';' + n.args.map(canon).join(',') + ')'
    case 'seq': return n.open + n.items.map(canon).join(',') + n.close
    case 'ratio': return ':(' + n.args.map(canon).join(',') + ')'
    default: return JSON.stringify(n, (_k, v) => typeof v === 'bigint' ? v.toString() : v)
  }
}

function flat (n: Node, k: 'add' | 'mul'): Node[] {
  if (n.k !== k) return [n]
  return n.args.flatMap(a => flat(a, k))
}

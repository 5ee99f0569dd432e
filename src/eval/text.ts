/** The eval summary as plain-text tables for the terminal. */
import type { EvalReply } from './schema.ts'

const pct = (v: number | null): string => v === null ? '-' : `${(v * 100).toFixed(1)}%`
const num = (v: number | null, digits = 1): string => v === null ? '-' : v.toFixed(digits)

function columns (rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map(r => (r[i] ?? '').length))) ?? []
  return rows.map(r => r.map((c, i) => i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)).join('  ')).join('\n') + '\n'
}

export function formatSummary (r: EvalReply): string {
  const o = r.overall
  let out = `problems ${o.problems} (${o.judged_problems} judged), samples ${o.samples} (${o.judged_samples} judged)\n` +
    `pass@1 ${pct(o.pass_at_1)}   format rate ${pct(o.format_rate)}   mean length ${num(o.mean_length_tokens)} tokens   mean reward ${num(o.mean_reward, 3)}\n\n`
  const rows = [['k', 'pass@k', 'maj@k', 'problems']]
  r.k.forEach((k, i) => rows.push([String(k), pct(o.pass_at_k[i]?.value ?? null), pct(o.maj_at_k[i]?.value ?? null), String(o.pass_at_k[i]?.problems ?? 0)]))
  out += columns(rows)
  if (r.categories.length > 1 || (r.categories[0] !== undefined && r.categories[0].category !== '(none)')) {
    const cats = [['category', 'problems', 'accuracy (pass@1)', `maj@${r.k[r.k.length - 1] ?? '-'}`]]
    for (const c of r.categories) cats.push([c.category, String(c.problems), pct(c.accuracy), pct(c.maj_at_k[c.maj_at_k.length - 1]?.value ?? null)])
    out += '\n' + columns(cats)
  }
  return out
}

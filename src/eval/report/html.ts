/**
 * The eval report: one self-contained HTML file (inline CSS and SVG, no scripts, no external URLs) with the
 * summary, pass@k and maj@k against k, accuracy by category, the reward histogram, and the hardest problems.
 */
import type { EvalReply } from '../schema.ts'
import { lineChart, barChart, escapeXml } from './svg.ts'

const pct = (v: number | null): string => v === null ? '–' : `${(v * 100).toFixed(1)}%`
const num = (v: number | null, d = 1): string => v === null ? '–' : v.toFixed(d)

export function renderReport (r: EvalReply, meta: { source: string, generated?: Date }): string {
  const o = r.overall
  const kPlot = lineChart('plot-k', 'pass@k and maj@k against k', r.k, [
    { name: 'pass@k', cls: 'pass', color: '#1f77b4', points: o.pass_at_k.map(p => ({ x: p.k, y: p.value })) },
    { name: 'maj@k', cls: 'maj', color: '#ff7f0e', points: o.maj_at_k.map(p => ({ x: p.k, y: p.value })) }
  ])
  const catPlot = barChart('plot-categories', 'accuracy by category', r.categories.map(c => ({ label: c.category, value: c.accuracy ?? 0, title: `${c.category}: ${pct(c.accuracy)} of ${c.problems} problems` })),
    { max: 1, color: '#2ca02c', xLabel: 'category', yLabel: 'accuracy (pass@1)', percent: true })
  const h = r.reward_histogram
  const histPlot = barChart('plot-rewards', 'reward histogram', h.bins.map(b => ({ label: num(b.lo, 2), value: b.count, title: `[${num(b.lo, 3)}, ${num(b.hi, 3)}): ${b.count}` })),
    { color: '#9467bd', xLabel: 'reward (bin start)', yLabel: 'samples' })
  const kRows = r.k.map((k, i) => `<tr><td>${k}</td><td>${pct(o.pass_at_k[i]?.value ?? null)}</td><td>${pct(o.maj_at_k[i]?.value ?? null)}</td><td>${o.pass_at_k[i]?.problems ?? 0}</td></tr>`).join('')
  const catRows = r.categories.map(c => `<tr><td>${escapeXml(c.category)}</td><td>${c.problems}</td><td>${pct(c.accuracy)}</td><td>${pct(c.maj_at_k[c.maj_at_k.length - 1]?.value ?? null)}</td></tr>`).join('')
  const hardest = [...r.problems].filter(p => p.pass_at_1 !== null).sort((a, b) => (a.pass_at_1 ?? 0) - (b.pass_at_1 ?? 0)).slice(0, 20)
  const hardRows = hardest.map(p => `<tr><td>${escapeXml(p.id)}</td><td>${escapeXml(p.category ?? '')}</td><td>${p.correct}/${p.judged}</td><td>${pct(p.pass_at_1)}</td><td>${p.clusters}</td><td>${escapeXml((p.majority_answer ?? '–').slice(0, 80))}</td></tr>`).join('')
  const kMax = r.k[r.k.length - 1] ?? '-'
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>reward-verifier eval: ${escapeXml(meta.source)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#666;margin-bottom:16px}.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}.grid{display:flex;gap:16px;flex-wrap:wrap}
figure{background:#fff;border:1px solid #ddd;border-radius:6px;margin:0;padding:8px}
figcaption{font-weight:600;margin:0 0 4px 4px}table{border-collapse:collapse;background:#fff}
td,th{border:1px solid #ddd;padding:4px 10px;text-align:right}td:first-child,th:first-child{text-align:left}
</style></head><body>
<h1>Evaluation report</h1>
<div class="meta">${escapeXml(meta.source)} · ${(meta.generated ?? new Date()).toISOString()} · ${o.problems} problems (${o.judged_problems} judged), ${o.samples} samples (${o.judged_samples} judged)</div>
<div class="cards">
<div class="card" id="card-pass1">pass@1<b>${pct(o.pass_at_1)}</b></div>
<div class="card">maj@${kMax}<b>${pct(o.maj_at_k[o.maj_at_k.length - 1]?.value ?? null)}</b></div>
<div class="card">pass@${kMax}<b>${pct(o.pass_at_k[o.pass_at_k.length - 1]?.value ?? null)}</b></div>
<div class="card">format rate<b>${pct(o.format_rate)}</b></div>
<div class="card">mean length<b>${num(o.mean_length_tokens, 0)}</b>tokens</div>
<div class="card">mean reward<b>${num(o.mean_reward, 3)}</b></div>
</div>
<div class="grid">
<figure><figcaption>pass@k and maj@k against k</figcaption>${kPlot}</figure>
<figure><figcaption>accuracy by category</figcaption>${catPlot}</figure>
<figure><figcaption>reward histogram (${h.null_count} null rewards not shown)</figcaption>${histPlot}</figure>
</div>
<h2>By k</h2><table id="table-k"><tr><th>k</th><th>pass@k</th><th>maj@k</th><th>problems</th></tr>${kRows}</table>
<h2>By category</h2><table id="table-categories"><tr><th>category</th><th>problems</th><th>accuracy</th><th>maj@${kMax}</th></tr>${catRows}</table>
<h2>Hardest problems</h2><table id="table-hardest"><tr><th>id</th><th>category</th><th>correct</th><th>pass@1</th><th>answer clusters</th><th>majority answer</th></tr>${hardRows}</table>
<p class="meta">pass@k: unbiased estimator (Chen et al. 2021), mean over problems with at least k judged samples. maj@k: majority vote with equivalent answers merged (all right answers are one vote); ties share the credit; k &lt; n is the mean over k-subsets (all of them, or 256 seeded draws).</p>
</body></html>
`
}

/**
 * Minimal inline-SVG charts for the eval report: a line chart (values against k on a log₂ axis) and a bar
 * chart (categories, histogram bins). No external resources; text is escaped.
 */
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)

const W = 540
const H = 300
const M = { top: 34, right: 20, bottom: 48, left: 52 }
const f = (n: number): string => (Math.round(n * 10) / 10).toString()

export interface Series { name: string, cls: string, color: string, points: Array<{ x: number, y: number | null }> }

function frame (id: string, title: string, body: string, xLabel: string, yLabel: string): string {
  return `<svg id="${id}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(title)}">` +
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>${body}` +
    `<text x="${f(M.left + (W - M.left - M.right) / 2)}" y="${H - 8}" text-anchor="middle" font-size="12" fill="#333">${escapeXml(xLabel)}</text>` +
    `<text transform="translate(14 ${f(M.top + (H - M.top - M.bottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="12" fill="#333">${escapeXml(yLabel)}</text></svg>`
}

function yAxis (max: number, fmt: (v: number) => string): string {
  let out = ''
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4
    const y = H - M.bottom - ((H - M.top - M.bottom) * i) / 4
    out += `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${f(y)}" y2="${f(y)}" stroke="#e3e3e3"/>` +
      `<text x="${M.left - 6}" y="${f(y + 4)}" text-anchor="end" font-size="11" fill="#555">${fmt(v)}</text>`
  }
  return out
}

/** Lines of values in [0, 1] against k (log₂ x axis). */
export function lineChart (id: string, title: string, ks: number[], series: Series[]): string {
  const lo = Math.log2(Math.max(1, ks[0] ?? 1))
  const hi = Math.log2(Math.max(1, ks[ks.length - 1] ?? 1))
  const span = hi - lo
  const x = (k: number): number => M.left + (span === 0 ? 0.5 : (Math.log2(k) - lo) / span) * (W - M.left - M.right)
  const y = (v: number): number => H - M.bottom - v * (H - M.top - M.bottom)
  let body = yAxis(1, v => `${Math.round(v * 100)}%`)
  for (const k of ks) body += `<text x="${f(x(k))}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11" fill="#555">${k}</text>`
  series.forEach((s, si) => {
    const pts = s.points.filter((p): p is { x: number, y: number } => p.y !== null)
    body += `<polyline class="line ${s.cls}" fill="none" stroke="${s.color}" stroke-width="2.5" points="${pts.map(p => `${f(x(p.x))},${f(y(p.y))}`).join(' ')}"/>`
    for (const p of pts) body += `<circle class="point ${s.cls}" cx="${f(x(p.x))}" cy="${f(y(p.y))}" r="4" fill="${s.color}"><title>${escapeXml(s.name)} k=${p.x}: ${(p.y * 100).toFixed(1)}%</title></circle>`
    const lx = M.left + 8 + si * 100
    body += `<rect class="legend" x="${lx}" y="8" width="12" height="12" fill="${s.color}"/><text x="${lx + 18}" y="18" font-size="12" fill="#333">${escapeXml(s.name)}</text>`
  })
  return frame(id, title, body, 'k (log scale)', 'share of problems')
}

export interface Bar { label: string, value: number, title?: string }

/** Vertical bars; max is the top of the y axis (1 for rates). */
export function barChart (id: string, title: string, bars: Bar[], opts: { max?: number, color: string, xLabel: string, yLabel: string, percent?: boolean }): string {
  const max = opts.max ?? niceMax(Math.max(1, ...bars.map(b => b.value)))
  const n = Math.max(1, bars.length)
  const slot = (W - M.left - M.right) / n
  const bw = Math.max(1, slot * 0.8)
  const fmt = opts.percent === true ? (v: number) => `${Math.round(v * 100)}%` : count
  let body = yAxis(max, fmt)
  const every = Math.ceil(n / 12)
  bars.forEach((b, i) => {
    const h = (b.value / max) * (H - M.top - M.bottom)
    const x0 = M.left + i * slot + (slot - bw) / 2
    body += `<rect class="bar" x="${f(x0)}" y="${f(H - M.bottom - h)}" width="${f(bw)}" height="${f(h)}" fill="${opts.color}"><title>${escapeXml(b.title ?? `${b.label}: ${fmt(b.value)}`)}</title></rect>`
    if (i % every === 0) {
      const label = b.label.length > 14 ? `${b.label.slice(0, 13)}…` : b.label
      body += `<text x="${f(x0 + bw / 2)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11" fill="#555">${escapeXml(label)}</text>`
    }
  })
  return frame(id, title, body, opts.xLabel, opts.yLabel)
}

/** The smallest 1, 2, 2.5 or 5 × 10ⁿ (times 4, for four whole grid steps) at or above v. */
export function niceMax (v: number): number {
  const step = v / 4
  const p = 10 ** Math.floor(Math.log10(step))
  const m = [1, 2, 2.5, 5, 10].find(x => x * p >= step) ?? 10
  return Math.max(4, m * p * 4)
}

function count (v: number): string {
  if (v >= 10_000) return `${Math.round(v / 1000)}k`
  return Number.isInteger(v) ? String(v) : v.toFixed(1)
}

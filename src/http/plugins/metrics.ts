/**
 * Prometheus metrics, one registry per app (tests build many apps): HTTP requests and latency per route,
 * per-reward latency and outcome counts, and the process defaults. Served at GET /metrics.
 */
import type { FastifyInstance } from 'fastify'
import { Registry, Counter, Histogram, collectDefaultMetrics } from 'prom-client'
import type { ComponentResult } from '../../rewards/types.ts'

export class Metrics {
  readonly registry = new Registry()
  readonly httpRequests = new Counter({ name: 'rwd_http_requests_total', help: 'HTTP requests by route and status.', labelNames: ['method', 'route', 'status'], registers: [this.registry] })
  readonly httpDuration = new Histogram({ name: 'rwd_http_request_duration_seconds', help: 'HTTP request latency by route.', labelNames: ['method', 'route'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: [this.registry] })
  readonly rewardDuration = new Histogram({ name: 'rwd_reward_duration_seconds', help: 'Time spent on one reward component for one group.', labelNames: ['component'], buckets: [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [this.registry] })
  readonly rewardResults = new Counter({ name: 'rwd_reward_results_total', help: 'Reward component results by outcome (status, and for ok whether the score was positive).', labelNames: ['component', 'status'], registers: [this.registry] })
  readonly completionsScored = new Counter({ name: 'rwd_completions_scored_total', help: 'Completions scored.', registers: [this.registry] })

  /** maxRuns: distinct `run` label values exposed; the rest are summed under run="other". */
  constructor (readonly maxRuns = 50) {
    collectDefaultMetrics({ register: this.registry, prefix: 'rwd_' })
  }

  /**
   * The exposition text, with the `run` label bounded: every run name a client can invent would otherwise
   * become a label value (unbounded series for Prometheus). The first maxRuns runs (in name order,
   * `default` always) keep their label; the others are folded into run="other", values summed.
   */
  async exposition (): Promise<string> {
    const metrics = await this.registry.getMetricsAsJSON()
    const runs = new Set<string>()
    for (const m of metrics) for (const v of m.values) if (typeof v.labels.run === 'string') runs.add(v.labels.run)
    if (runs.size <= this.maxRuns) return await this.registry.metrics()
    const kept = new Set([...runs].sort((a, b) => a === 'default' ? -1 : b === 'default' ? 1 : a < b ? -1 : a > b ? 1 : 0).slice(0, this.maxRuns))
    const lines: string[] = []
    for (const m of metrics) {
      lines.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${m.name} ${m.type}`)
      const folded = new Map<string, { name: string, labels: Record<string, string | number>, value: number }>()
      for (const v of m.values) {
        const labels = { ...v.labels } as Record<string, string | number>
        if (typeof labels.run === 'string' && !kept.has(labels.run)) labels.run = 'other'
        const name = (v as { metricName?: string }).metricName ?? m.name
        const key = `${name}${renderLabels(labels)}`
        const prev = folded.get(key)
        if (prev === undefined) folded.set(key, { name, labels, value: v.value })
        else prev.value += v.value
      }
      for (const [key, f] of folded) lines.push(`${key} ${formatValue(f.value)}`)
    }
    return `${lines.join('\n')}\n`
  }

  observeReward (component: string, seconds: number, results: ComponentResult[]): void {
    this.rewardDuration.observe({ component }, seconds)
    const counts = new Map<string, number>()
    for (const r of results) {
      const key = r.status === 'ok' ? ((r.score ?? 0) > 0 ? 'ok_positive' : 'ok_zero_or_negative') : r.status
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    for (const [status, n] of counts) this.rewardResults.inc({ component, status }, n)
  }
}

export function registerMetrics (app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) })
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000)
  })
}

function renderLabels (labels: Record<string, string | number>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
  return parts.length === 0 ? '' : `{${parts.join(',')}}`
}

function formatValue (v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return String(v)
}

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

  constructor () {
    collectDefaultMetrics({ register: this.registry, prefix: 'rwd_' })
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

/**
 * Math verification through HTTP (issue 3): every pair of the corpus POSTed to /v1/verify/math (the answer
 * extracted from the prediction, as bench/math.ts checks them) against the service in its own process with
 * the default pool (MATH_THREADS = cores − 1). Standalone: node --import tsx bench/math-http.ts
 */
import { readFileSync, existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { median, percentile, table, startService } from './lib.ts'

interface Case { gold: string, prediction: string, expected: boolean }

export async function benchMathHttp (rounds = 3, concurrency = 16): Promise<string> {
  const root = new URL('..', import.meta.url).pathname
  const file = resolve(root, process.env.EVAL_DIR ?? '../shared/eval', 'math/cases.jsonl')
  if (!existsSync(file)) return `math corpus not found at ${file} (set EVAL_DIR)`
  const cases = readFileSync(file, 'utf8').split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as Case)
  const bodies = cases.map(c => JSON.stringify({ gold: c.gold, prediction: c.prediction }))
  const svc = await startService({ EMBEDDED_WORKER: 'false' })
  const rates: number[] = []
  const latencies: number[] = []
  let agree = 0
  try {
    for (let round = 0; round <= rounds; round++) {
      let next = 0
      agree = 0
      const t0 = performance.now()
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) {
          const i = next++
          const s = performance.now()
          const res = await fetch(`${svc.url}/v1/verify/math`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[i] })
          const r = await res.json() as { equivalent: boolean | null }
          if (round > 0) latencies.push(performance.now() - s)
          if (r.equivalent === cases[i]?.expected) agree++
        }
      }))
      if (round > 0) rates.push(bodies.length / ((performance.now() - t0) / 1000)) // round 0 warms up
    }
  } finally {
    await svc.stop()
  }
  return table(`Math verification through HTTP: ${cases.length} corpus pairs, ${concurrency} requests in flight, default pool, ${rounds} rounds`,
    ['measure', 'median', 'min', 'max'], [
      ['checks/s', median(rates), Math.min(...rates), Math.max(...rates)],
      ['latency p50 / p99 / max (ms)', `${median(latencies).toFixed(2)} / ${percentile(latencies, 99).toFixed(2)} / ${Math.max(...latencies).toFixed(2)}`, '', ''],
      ['agreement with labels (last round)', `${agree}/${cases.length}`, '', '']
    ])
}

if (process.argv[1]?.endsWith('math-http.ts') === true) console.log(await benchMathHttp())

/** Bench helpers: medians, percentiles, a seeded RNG, markdown tables, and a service run in its own process. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { freePort } from '../test/net.ts'

export const median = (xs: number[]): number => percentile(xs, 50)

export function percentile (xs: number[], p: number): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))
  return s[idx] as number
}

/** The seeded PRNG of the eval metrics (mulberry32), for repeatable bench inputs. */
export { mulberry32 as rng } from '../src/eval/sample.ts'

export function table (title: string, header: string[], rows: Array<Array<string | number>>): string {
  const fmt = (v: string | number): string => typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 3 : 1)) : v
  const lines = [`\n### ${title}\n`, `| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`]
  for (const r of rows) lines.push(`| ${r.map(fmt).join(' | ')} |`)
  return lines.join('\n')
}

export { freePort }

export interface RunningService { url: string, child: ChildProcess, peakRssMb: () => number, stop: () => Promise<void> }

/** Starts `npm start`'s entry in its own process and waits for /healthz. */
export async function startService (env: Record<string, string> = {}): Promise<RunningService> {
  const port = await freePort()
  const root = new URL('..', import.meta.url).pathname
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit']
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`)
      if (res.ok) break
    } catch {}
    if (Date.now() > deadline) throw new Error('service did not start in 30 s')
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return {
    url,
    child,
    peakRssMb: () => {
      const status = readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8')
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN)
      return kb / 1024
    },
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise(resolve => child.once('exit', resolve))
    }
  }
}

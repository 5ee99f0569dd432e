/**
 * Run by test/sandbox/nonroot.test.ts as a non-root user (never on its own): the Python pool of a service
 * that is not root. Prints one JSON line per check on stdout.
 *   argv[2] 'jobs': pool mode, then an honest, a wrong and each named exploit, each with an honest job beside it,
 *           then the CPU used by a solution that ignores every signal (no cgroup: /proc accounting)
 *   argv[2] 'ready': the app's GET /readyz and a Python check through POST /v1/verify/code
 */
import { createCodeVerifier } from '../../src/rewards/code/verifier.ts'
import { PythonPool } from '../../src/sandbox/python-pool.ts'
import { runPython } from '../../src/rewards/code/python-run.ts'
import { PYTHON_CAPS, clampLimits } from '../../src/sandbox/limits.ts'
import { loadExploits } from './exploits.ts'

const LIMITS = { time_ms: 1500, memory_mb: 256, output_bytes: 1 << 16 }
const DOUBLE = { type: 'call' as const, function: 'g', cases: [{ args: [21], expected: 42 }, { args: [-3], expected: -6 }] }

function out (x: unknown): void { process.stdout.write(JSON.stringify(x) + '\n') }

async function jobs (names: string[]): Promise<void> {
  const pool = new PythonPool({ slots: 2 })
  out({ kind: 'pool', unavailable: pool.unavailable, cpu: pool.unavailable === null ? pool.cpuAccounting : null, uid: process.getuid?.() })
  pool.close()
  const v = createCodeVerifier({ pythonSlots: 2 })
  try {
    await v.warm().catch((err: Error) => out({ kind: 'warm', error: err.message }))
    const honest = (): ReturnType<typeof v.verify> => v.verify({ language: 'python', code: 'def g(x):\n    return x * 2\n', tests: DOUBLE })
    const right = await honest()
    const wrong = await v.verify({ language: 'python', code: 'def g(x):\n    return x + 2\n', tests: DOUBLE })
    out({ kind: 'scores', right: right.reward, wrong: wrong.reward, detail: [right, wrong].map(r => r.reason ?? r.tests.map(t => t.verdict).join(',')) })
    const all = loadExploits('python')
    for (const name of names) {
      const x = all.find(e => e.name === name)
      if (x === undefined) { out({ kind: 'exploit', name, missing: true }); continue }
      const [r, other] = await Promise.all([v.verify({ language: 'python', code: x.code, tests: x.tests, limits: LIMITS }), honest()])
      out({ kind: 'exploit', name, status: r.status, reward: r.reward, passed: r.tests.filter(t => t.verdict === 'passed').length, verdicts: r.tests.map(t => t.verdict), reason: r.reason, honest: other.reward })
    }
  } finally {
    await v.close()
  }
  await cpuCheck()
}

/** The CPU a signal-ignoring solution used before its timeout, by the slot's own counter. */
async function cpuCheck (): Promise<void> {
  const pool = new PythonPool({ slots: 1 })
  try {
    await pool.warm()
    const x = loadExploits('python').find(e => e.name === 'cpu/ignore_signals.py')
    if (x === undefined) return
    const before = pool.jailCpuMs(0) as number
    const r = await runPython(pool, { language: 'python', code: x.code, tests: x.tests }, clampLimits(PYTHON_CAPS, { time_ms: 500 }))
    out({ kind: 'cpu', time_ms: 500, used: (pool.jailCpuMs(0) as number) - before, reward: r.reward, verdict: r.tests[0]?.verdict })
  } finally {
    pool.close()
  }
}

async function ready (): Promise<void> {
  const { buildApp } = await import('../../src/app.ts')
  const { loadConfig } = await import('../../src/config/load.ts')
  // Redis on a closed port: only the sandboxes' check matters here (Redis alone never fails readiness).
  const config = loadConfig({ MATH_THREADS: '1', CODE_PYTHON_SLOTS: '1', CODE_JS_ISOLATES: '1', REDIS_URL: 'redis://127.0.0.1:1', REDIS_CONNECT_TIMEOUT_MS: '200', QUEUE_PREFIX: 'nonroot-test' })
  const app = await buildApp({ config, logger: process.env.NONROOT_LOG === '1' })
  try {
    const r = await app.inject({ method: 'GET', url: '/readyz' })
    out({ kind: 'readyz', code: r.statusCode, body: r.json() })
    const g = await app.inject({ method: 'POST', url: '/v1/verify/code', payload: { language: 'python', code: 'def g(x):\n    return x * 2\n', tests: DOUBLE } })
    out({ kind: 'verify', code: g.statusCode, body: g.json() })
  } finally {
    await app.close()
  }
}

const mode = process.argv[2]
await (mode === 'ready' ? ready() : jobs(process.argv.slice(3)))

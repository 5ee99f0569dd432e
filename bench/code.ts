/**
 * Code-reward bench: the 164 HumanEval canonical programs scored through the code verifier (warm bubblewrap
 * jails) against the same programs as bare `/usr/bin/python3 -S -I -B` processes, same concurrency, measured
 * side by side in this run (rounds alternate); and JavaScript (HumanEval-X, bench/code-js.ts).
 * Then the per-job cost of a trivial Python job, MBPP and HumanEval wrong solutions, and the hostile campaign.
 * Standalone: node --import tsx bench/code.ts [rounds|hostile]   ·   from bench/index.ts: benchCode()
 * The bare baseline runs the dataset's canonical solutions (not model output) outside any sandbox.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCodeVerifier } from '../src/rewards/code/verifier.ts'
import type { CodeVerifier } from '../src/rewards/code/api.ts'
import { startService } from './lib.ts'
import { corpusAvailable, humaneval, humanevalWrong, mbpp, type CorpusItem } from '../test/sandbox/corpus.ts'
import { loadExploits } from '../test/sandbox/exploits.ts'
import { readdirSync, readFileSync } from 'node:fs'
import { benchJavascript } from './code-js.ts'

const FLAGS = ['-S', '-I', '-B']

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)] ?? NaN
}

async function pool<T> (items: T[], concurrency: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++] as T)
  }))
}

function runBare (file: string): Promise<number> {
  return new Promise(resolve => {
    const p = spawn('/usr/bin/python3', [...FLAGS, file], { env: {}, stdio: 'ignore' })
    p.on('exit', code => resolve(code ?? 1))
    p.on('error', () => resolve(1))
  })
}

async function bareRound (files: string[], concurrency: number): Promise<{ ms: number, passed: number }> {
  let passed = 0
  const t0 = performance.now()
  await pool(files, concurrency, async f => { if (await runBare(f) === 0) passed++ })
  return { ms: performance.now() - t0, passed }
}

/** The same programs POSTed to the running service's /v1/verify/code, `concurrency` requests in flight. */
async function httpRound (url: string, items: CorpusItem[], concurrency: number): Promise<{ ms: number, passed: number }> {
  let passed = 0
  const t0 = performance.now()
  await pool(items, concurrency, async it => {
    const res = await fetch(`${url}/v1/verify/code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(it.input) })
    const r = await res.json() as { reward: number | null }
    if (r.reward === 1) passed++
  })
  return { ms: performance.now() - t0, passed }
}

async function verifierRound (v: CodeVerifier, items: CorpusItem[]): Promise<{ ms: number, passed: number }> {
  const t0 = performance.now()
  const rs = await Promise.all(items.map(async it => await v.verify(it.input)))
  return { ms: performance.now() - t0, passed: rs.filter(r => r.reward === 1).length }
}

/** RSS (MB) of a process and all its descendants (the service: node, its jails, their processes). */
function treeRssMb (root: number): number {
  const kids = new Map<number, number[]>()
  const rss = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const pid = Number(name)
      const ppid = Number(f[1])
      kids.set(ppid, [...(kids.get(ppid) ?? []), pid])
      rss.set(pid, Number(f[21]) * 4096)
    } catch { /* gone */ }
  }
  let total = 0
  const todo = [root]
  while (todo.length > 0) {
    const p = todo.pop() as number
    total += rss.get(p) ?? 0
    todo.push(...(kids.get(p) ?? []))
  }
  return total / (1 << 20)
}

async function post (url: string, body: unknown): Promise<{ reward: number | null, status: string }> {
  const res = await fetch(`${url}/v1/verify/code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return await res.json() as { reward: number | null, status: string }
}

/** /healthz round trips (ms) sampled every 20 ms while `work` runs. */
async function healthzDuring (url: string, work: Promise<unknown>): Promise<number[]> {
  const state = { done: false }
  work.then(() => { state.done = true }, () => { state.done = true })
  const lat: number[] = []
  while (!state.done) {
    const t0 = performance.now()
    await fetch(`${url}/healthz`).then(async r => await r.arrayBuffer())
    lat.push(performance.now() - t0)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  await work
  return lat
}

/**
 * Hostile campaign (bench table, not a test): every exploit of the repository, both languages, back to back
 * through one running service; a correct solution's latency (median of 20, per language) before and after,
 * and the RSS of the service's whole process tree at start and after. Also /healthz latency while 4
 * completions each return 70 values of 1 MB (replies are framed and capped per job).
 */
export async function benchHostile (): Promise<string> {
  const svc = await startService({ EMBEDDED_WORKER: 'false', CODE_PYTHON_SLOTS: '2' })
  const pid = svc.child.pid as number
  const honest = {
    python: { language: 'python', code: 'def g(x):\n    return x * 2\n', tests: { type: 'call', function: 'g', cases: [{ args: [21], expected: 42 }] } },
    javascript: { language: 'javascript', code: 'function g (x) { return x * 2 }', tests: { type: 'call', function: 'g', cases: [{ args: [21], expected: 42 }] } }
  }
  const latency = async (body: unknown): Promise<number> => {
    const xs: number[] = []
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now()
      const r = await post(svc.url, body)
      if (r.reward !== 1) throw new Error(`honest request failed: ${JSON.stringify(r)}`)
      xs.push(performance.now() - t0)
    }
    return median(xs)
  }
  const lines: string[] = []
  try {
    await latency(honest.python)
    await latency(honest.javascript)
    const rss0 = treeRssMb(pid)
    const before = { python: await latency(honest.python), javascript: await latency(honest.javascript) }
    const exploits = [...loadExploits('python'), ...loadExploits('javascript')]
    let rewarded = 0
    let nulls = 0
    const t0 = performance.now()
    for (const x of exploits) {
      // the tests as written (their numbers' text), as a client would send them
      const body = `{"language":${JSON.stringify(x.language)},"code":${JSON.stringify(x.code)},"tests":${x.testsText},"limits":{"time_ms":1500,"memory_mb":256,"output_bytes":65536}}`
      const r = await post(svc.url, body)
      if (r.reward !== 0 && r.reward !== null) { rewarded++; console.error(`rewarded: ${x.language}/${x.name} ${JSON.stringify(r).slice(0, 300)}`) }
      if (r.reward === null) nulls++
    }
    const campaignS = (performance.now() - t0) / 1000
    await new Promise(resolve => setTimeout(resolve, 1000))
    const after = { python: await latency(honest.python), javascript: await latency(honest.javascript) }
    const rss1 = treeRssMb(pid)
    const huge = loadExploits('python').find(x => x.name === 'forcing_null/huge_replies.py')
    let hz: number[] = []
    if (huge !== undefined) {
      hz = await healthzDuring(svc.url, Promise.all([0, 1, 2, 3].map(async () => await post(svc.url, { language: 'python', code: huge.code, tests: huge.tests }))))
    }
    lines.push(
      `hostile campaign: ${exploits.length} exploits back to back through one service (2 python slots), ${campaignS.toFixed(1)} s; rewarded ${rewarded}, null ${nulls}`,
      '',
      '| measure | before | after | ratio / delta |',
      '| --- | --- | --- | --- |',
      `| correct python call, median of 20 (target after <= 2x) | ${before.python.toFixed(1)} ms | ${after.python.toFixed(1)} ms | ${(after.python / before.python).toFixed(2)}x |`,
      `| correct javascript call, median of 20 (target after <= 2x) | ${before.javascript.toFixed(1)} ms | ${after.javascript.toFixed(1)} ms | ${(after.javascript / before.javascript).toFixed(2)}x |`,
      `| RSS of the service's process tree (target delta <= 100 MB) | ${rss0.toFixed(0)} MB | ${rss1.toFixed(0)} MB | ${(rss1 - rss0).toFixed(0)} MB |`,
      `| /healthz while 4 completions return 70 x 1 MB (${hz.length} probes) | median ${median(hz).toFixed(1)} ms | max ${Math.max(...hz).toFixed(1)} ms | |`
    )
  } finally {
    await svc.stop()
  }
  return lines.join('\n')
}

/** Per-job cost of a trivial job (one call case) on one warm slot, sequential: the judge fork, a fresh /tmp
 *  and IPC namespace, the candidate fork with its drop to the solution uid, cgroup entry and frames. */
async function trivialJobMs (v: CodeVerifier, n = 100): Promise<number> {
  const body = { language: 'python' as const, code: 'def g(x):\n    return x * 2\n', tests: { type: 'call' as const, function: 'g', cases: [{ args: [21], expected: 42 }] } }
  const xs: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await v.verify(body)
    xs.push(performance.now() - t0)
  }
  return median(xs)
}

async function bareTrivialMs (n = 100): Promise<number> {
  const xs: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await new Promise(resolve => spawn('/usr/bin/python3', [...FLAGS, '-c', 'def g(x):\n    return x * 2\nassert g(21) == 42'], { env: {}, stdio: 'ignore' }).on('exit', resolve))
    xs.push(performance.now() - t0)
  }
  return median(xs)
}

export async function benchCode (rounds = 3): Promise<string> {
  if (!corpusAvailable()) return 'code bench skipped: corpus not found (set EVAL_DIR)'
  const concurrency = availableParallelism()
  const he = humaneval()
  const dir = mkdtempSync(join(tmpdir(), 'rv-bench-'))
  const files = he.map((it, i) => {
    const f = join(dir, `p${i}.py`)
    const t = it.input.tests
    writeFileSync(f, it.input.code + '\n' + (t.type === 'script' ? t.script : ''))
    return f
  })
  const v = createCodeVerifier({ pythonSlots: concurrency, jsIsolates: concurrency })
  const svc = await startService({ EMBEDDED_WORKER: 'false', CODE_PYTHON_SLOTS: String(concurrency) })
  const lines: string[] = []
  try {
    await v.warm()
    await verifierRound(v, he.slice(0, 8)) // first use: jails already warm; this warms the page cache
    await httpRound(svc.url, he.slice(0, 8), concurrency)
    const bare: Array<{ ms: number, passed: number }> = []
    const jail: Array<{ ms: number, passed: number }> = []
    const http: Array<{ ms: number, passed: number }> = []
    for (let r = 0; r < rounds; r++) {
      // rotate the order of the three paths so none always runs first
      const runs = [
        async () => { bare.push(await bareRound(files, concurrency)) },
        async () => { jail.push(await verifierRound(v, he)) },
        async () => { http.push(await httpRound(svc.url, he, concurrency)) }
      ]
      for (let k = 0; k < runs.length; k++) await (runs[(r + k) % runs.length] as () => Promise<void>)()
    }
    const b = median(bare.map(x => x.ms))
    const j = median(jail.map(x => x.ms))
    const h = median(http.map(x => x.ms))
    const mb = mbpp()
    const mbRound = await verifierRound(v, mb)
    const wrong = humanevalWrong()
    const wrongRound = await verifierRound(v, wrong)
    const one = createCodeVerifier({ pythonSlots: 1 })
    await one.warm()
    const trivial = await trivialJobMs(one)
    await one.close()
    const bareTrivial = await bareTrivialMs()
    lines.push(
      `concurrency ${concurrency}, ${rounds} rounds (medians), python flags ${FLAGS.join(' ')}`,
      '',
      '| measure | value | passed |',
      '| --- | --- | --- |',
      `| HumanEval 164, bare /usr/bin/python3 | ${(b / 1000).toFixed(2)} s | ${bare[0]?.passed ?? 0}/164 |`,
      `| HumanEval 164, code verifier (bwrap jails) | ${(j / 1000).toFixed(2)} s | ${jail[0]?.passed ?? 0}/164 |`,
      `| ratio verifier / bare | ${(j / b).toFixed(2)}x | |`,
      `| HumanEval 164 through the service (POST /v1/verify/code, ${concurrency} in flight) | ${(h / 1000).toFixed(2)} s | ${http[0]?.passed ?? 0}/164 |`,
      `| ratio service / bare (target <= 1.0) | ${(h / b).toFixed(2)}x | |`,
      `| HumanEval wrong solutions (humaneval_wrong, must all fail) | | ${wrongRound.passed}/${wrong.length} pass |`,
      `| MBPP ${mb.length} canonical through the verifier | ${(mbRound.ms / 1000).toFixed(2)} s | ${mbRound.passed}/${mb.length} |`,
      `| trivial call job on one warm slot, sequential median of 100 (judge + separation per job) | ${trivial.toFixed(1)} ms | |`,
      `| the same program as a bare python3 process, median of 100 | ${bareTrivial.toFixed(1)} ms | |`
    )
    lines.push(...await benchJavascript(v, svc.url, rounds, 32, svc.child.pid))
  } finally {
    await svc.stop()
    await v.close()
    rmSync(dir, { recursive: true, force: true })
  }
  lines.push('', await benchHostile())
  return lines.join('\n')
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  if (process.argv[2] === 'hostile') console.log(await benchHostile())
  else console.log(await benchCode(Number(process.argv[2] ?? 3)))
}

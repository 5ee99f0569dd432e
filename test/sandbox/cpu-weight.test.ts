/**
 * CODE_CPU_SHARES (src/sandbox/cgroup.ts): the Python jails' processes and the JavaScript sandbox processes
 * run in the sandboxes' cpu cgroup with its weight; the service's own threads do not.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { configureSandboxCpu } from '../../src/sandbox/cgroup.ts'
import { createCodeVerifier } from '../../src/rewards/code/verifier.ts'
import { JsPool } from '../../src/sandbox/js-pool.ts'

/** The cgroup path of `pid` for the cpu controller (v1), or its unified path (v2). */
function cpuCgroup (pid: number | string): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')
  const v1 = lines.find(l => l.split(':')[1]?.split(',').includes('cpu'))
  return (v1 ?? lines.find(l => l.startsWith('0::')) ?? '').split(':')[2] ?? ''
}

const spin = (language: 'python' | 'javascript', code: string): Parameters<ReturnType<typeof createCodeVerifier>['verify']>[0] =>
  ({ language, code, tests: { type: 'call', function: 'f', cases: [{ args: [], expected: 1 }] }, limits: { time_ms: 1500 } })

test('with CODE_CPU_SHARES the sandboxes run in one weighted cpu cgroup; the service stays out of it', async (t) => {
  const why = configureSandboxCpu(128)
  if (why !== null) { t.skip(`no writable cpu controller here: ${why}`); return }
  t.after(() => { configureSandboxCpu(0) })
  assert.doesNotMatch(cpuCgroup('self'), /reward-verifier-sandboxes/)
  // JavaScript: the sandbox process (all its threads) joins at start
  const js = new JsPool({ isolates: 1 })
  t.after(() => { js.close() })
  await js.warm()
  const [pid] = js.pids()
  assert.ok(pid !== undefined)
  assert.match(cpuCgroup(pid), /reward-verifier-sandboxes$/)
  const tasks = readFileSync(`/proc/${pid}/task/${pid}/cgroup`, 'utf8')
  assert.match(tasks, /reward-verifier-sandboxes/)
  // Python: a looping solution's processes are in the group (or their slot cgroup carries the weight)
  const code = createCodeVerifier({ pythonSlots: 1, jsIsolates: 1 })
  t.after(async () => { await code.close() })
  const running = code.verify(spin('python', 'def f():\n    while True:\n        pass\n'))
  const group = readGroupDir()
  let seen = false
  for (let i = 0; i < 100 && !seen; i++) {
    await new Promise(resolve => setTimeout(resolve, 30))
    seen = readFileSync(`${group}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)
      .some(p => { try { return /python3/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8')) } catch { return false } })
  }
  const result = await running
  // a timeout (0); or, on a host so busy that the low weight left the loop too little CPU before its
  // wall-clock limit, an error (null): never a pass
  assert.ok(result.tests[0]?.verdict === 'timeout' || (result.status === 'error' && result.reward === null), JSON.stringify(result))
  assert.ok(seen, 'a python process of the jail was in the sandboxes cpu cgroup')
  assert.equal(readFileSync(`${group}/cpu.shares`, 'utf8').trim(), '128')
})

function readGroupDir (): string {
  const own = cpuCgroup('self')
  return `/sys/fs/cgroup/cpu${own === '/' ? '' : own}/reward-verifier-sandboxes`
}

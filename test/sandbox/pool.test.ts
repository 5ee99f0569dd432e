/**
 * The Python pool hands no job to a dead jail: when a jail dies under a running job (here: its bwrap killed
 * from outside, a host fault), every process of it is killed, the job that had no answer yet runs again on a
 * live jail, and the jobs queued behind it run on a fresh jail and pass. Needs root and bubblewrap.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PythonPool } from '../../src/sandbox/python-pool.ts'
import { runPython } from '../../src/rewards/code/python-run.ts'
import { jailUnavailableReason } from '../../src/sandbox/bwrap.ts'
import { PYTHON_CAPS, clampLimits } from '../../src/sandbox/limits.ts'
import { processesOf, waitFor } from './host-state.ts'
import type { CodeCheckInput } from '../../src/rewards/code/api.ts'

const skip = jailUnavailableReason() ?? false
const UID_BASE = 64200

test('a jail killed under a job is dead at once; queued jobs run on a fresh jail', { skip }, async () => {
  const pool = new PythonPool({ slots: 1, uidBase: UID_BASE })
  try {
    await pool.warm()
    const slow: CodeCheckInput = { language: 'python', code: 'import time\ndef f():\n    time.sleep(3)\n    return 1\n', tests: { type: 'call', function: 'f', cases: [{ args: [], expected: 1 }] } }
    const honest: CodeCheckInput = { language: 'python', code: 'def g(x):\n    return x + 1\n', tests: { type: 'call', function: 'g', cases: [{ args: [1], expected: 2 }] } }
    const limits = clampLimits(PYTHON_CAPS, {})
    const first = runPython(pool, slow, limits)
    const queued = [1, 2, 3].map(async () => await runPython(pool, honest, limits))
    // the judge uid's bwrap process is the jail: kill it from outside, as a host fault would
    let bwrap: { pid: number } | undefined
    assert.ok(await waitFor(() => (bwrap = processesOf(UID_BASE, UID_BASE + 2).find(p => p.cmd.startsWith('/usr/bin/bwrap'))) !== undefined, 3000))
    await new Promise(resolve => setTimeout(resolve, 300))
    process.kill((bwrap as { pid: number }).pid, 'SIGKILL')
    // the job in flight had no answer yet: it is run again on a live jail (or, failing that, a null)
    const r1 = await first
    assert.ok(r1.reward === 1 || (r1.status === 'error' && r1.reward === null), JSON.stringify(r1))
    for (const r of await Promise.all(queued)) assert.equal(r.reward, 1, JSON.stringify(r))
    // nothing of the killed jail is left: one jail's processes (bwrap, pid 1, the waiting judge)
    assert.ok(await waitFor(() => processesOf(UID_BASE, UID_BASE + 2).length <= 3, 3000), JSON.stringify(processesOf(UID_BASE, UID_BASE + 2)))
  } finally {
    pool.close()
  }
})

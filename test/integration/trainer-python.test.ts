/**
 * The Python trainer's tests against the real app listening on a free port, with its embedded scoring worker and
 * the Redis at 127.0.0.1:6379 (TEST_REDIS_URL) under a unique queue prefix:
 * - trainer/tests/test_ci_*.py: the stdlib HTTP client, the lease/ack loop, the adapters (standard library only);
 * - trainer/tests/test_callsite_*.py: OpenRLHF (HEAD agent path, v0.9.0 batch path), verl (naive, batch, DAPO,
 *   PRIME managers, _validate, pickling) and TRL (sync _calculate_rewards, async spawned rollout process) call
 *   sites replayed with the arithmetic their code then does in torch. They need Debian's python3-torch and
 *   python3-omegaconf (`npm run setup` installs them) and fail, never skip, without them;
 * - trainer/tests/test_labels_gsm8k.py: GSM8K `#### 72` labels score right answers (the math extractor's rule).
 * Skipped when /usr/bin/python3 (PYTHON) is missing (`python3` on PATH may be a pyenv shim without Debian's packages).
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadConfig } from '../../src/config/load.ts'
import { buildApp } from '../../src/app.ts'
import { REDIS_URL, cleanupPrefix, uniquePrefix } from './queue/helpers.ts'

const python = process.env.PYTHON ?? '/usr/bin/python3'
const root = new URL('../../', import.meta.url).pathname
const skip = existsSync(python) ? false : `${python} not found`

/** The app on a free port (embedded worker, real Redis); runs `python3 args` against it; returns exit code and output. */
async function runAgainstService (t: TestContext, args: string[]): Promise<{ code: number | null, output: string }> {
  const prefix = uniquePrefix('trainer-py')
  cleanupPrefix(t, prefix)
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', MATH_THREADS: '1', TEXT_THREADS: '0', REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' })
  const app = await buildApp({ config, logger: false, worker: true })
  t.after(async () => { await app.close() })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  assert.ok(address !== null && typeof address === 'object')
  const url = `http://127.0.0.1:${address.port}`

  const child = spawn(python, ['-m', 'unittest', ...args], {
    cwd: root,
    env: { ...process.env, REWARD_URL: url, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL') }, 250_000)
    child.on('close', (c) => { clearTimeout(timer); resolve(c) })
  })
  return { code, output }
}

test('python trainer CI tests pass against the real service', { skip, timeout: 300_000 }, async (t) => {
  const { code, output } = await runAgainstService(t, ['discover', '-s', 'trainer/tests', '-t', '.', '-p', 'test_ci_*.py', '-v'])
  assert.equal(code, 0, output)
  assert.match(output, /Ran \d+ tests/)
  assert.doesNotMatch(output, /skipped 'REWARD_URL is not set'/)
  assert.doesNotMatch(output, /queue unavailable/, 'the lease/ack tests need Redis at ' + REDIS_URL)
})

test('OpenRLHF, verl and TRL call sites (and the torch code that consumes the rewards) run against the real service', { skip, timeout: 300_000 }, async (t) => {
  const { code, output } = await runAgainstService(t, ['discover', '-s', 'trainer/tests', '-t', '.', '-p', 'test_callsite_*.py', '-v'])
  assert.equal(code, 0, output)
  const ran = /Ran (\d+) tests/.exec(output)
  assert.ok(ran !== null && Number(ran[1]) >= 15, output)
  assert.doesNotMatch(output, /skipped/, 'no call-site test may skip')
})

test('GSM8K labels (#### 72) score right answers through /get_reward', { skip, timeout: 300_000 }, async (t) => {
  const { code, output } = await runAgainstService(t, ['trainer.tests.test_labels_gsm8k', '-v'])
  assert.equal(code, 0, output)
})

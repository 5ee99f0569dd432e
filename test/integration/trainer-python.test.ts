/**
 * The Python trainer's CI tests (trainer/tests/test_ci_*.py: the stdlib HTTP client, the lease/ack loop, the
 * TRL/verl/OpenRLHF adapters) against the real app listening on a free port, with its embedded scoring worker and
 * the Redis at 127.0.0.1:6379 (TEST_REDIS_URL) under a unique queue prefix. No torch, no GPU: python3's standard
 * library only. Skipped when /usr/bin/python3 (PYTHON) is missing.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadConfig } from '../../src/config/load.ts'
import { buildApp } from '../../src/app.ts'
import { REDIS_URL, cleanupPrefix, uniquePrefix } from './queue/helpers.ts'

const python = process.env.PYTHON ?? '/usr/bin/python3'
const root = new URL('../../', import.meta.url).pathname

test('python trainer CI tests pass against the real service', { skip: existsSync(python) ? false : `${python} not found`, timeout: 180_000 }, async (t) => {
  const prefix = uniquePrefix('trainer-py')
  cleanupPrefix(t, prefix)
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', MATH_THREADS: '1', TEXT_THREADS: '0', REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' })
  const app = await buildApp({ config, logger: false, worker: true })
  t.after(async () => { await app.close() })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  assert.ok(address !== null && typeof address === 'object')
  const url = `http://127.0.0.1:${address.port}`

  const child = spawn(python, ['-m', 'unittest', 'discover', '-s', 'trainer/tests', '-p', 'test_ci_*.py', '-v'], {
    cwd: root,
    env: { ...process.env, REWARD_URL: url, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL') }, 150_000)
    child.on('close', (c) => { clearTimeout(timer); resolve(c) })
  })
  assert.equal(code, 0, output)
  assert.match(output, /Ran \d+ tests/)
  assert.doesNotMatch(output, /skipped 'REWARD_URL is not set'/)
  assert.doesNotMatch(output, /queue unavailable/, 'the lease/ack tests need Redis at ' + REDIS_URL)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig } from '../../src/config/load.ts'

test('defaults: 127.0.0.1:8080, a Redis URL, frozen', () => {
  const c = loadConfig({})
  assert.equal(c.HOST, '127.0.0.1')
  assert.equal(c.PORT, 8080)
  assert.equal(c.REDIS_URL, 'redis://127.0.0.1:6379')
  assert.ok(Object.isFrozen(c))
})

test('values from the environment are converted and validated', () => {
  const c = loadConfig({ PORT: '9090', HOST: '0.0.0.0', MATH_DEADLINE_MS: '500' })
  assert.equal(c.PORT, 9090)
  assert.equal(c.HOST, '0.0.0.0')
  assert.equal(c.MATH_DEADLINE_MS, 500)
})

test('an invalid value throws a coded error naming the key, never exits', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'RWD_ERR_CONFIG_INVALID')
    assert.match(err.message, /PORT/)
    return true
  })
  assert.throws(() => loadConfig({ PORT: '70000' }), /PORT/)
  assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/)
})

test('.env.example lists every key, as generated from the schema', async () => {
  const { readFileSync } = await import('node:fs')
  const { renderEnvExample } = await import('../../scripts/env-example.ts')
  const committed = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
  assert.equal(committed, renderEnvExample(), 'regenerate: node --import tsx scripts/env-example.ts > .env.example')
})

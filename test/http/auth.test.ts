import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { appendFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { randomUUID } from 'node:crypto'
import { build, r1 } from '../helper.ts'
import { keysFile, bearer, basic } from './keys.ts'
import { cleanupPrefix } from '../integration/queue/helpers.ts'
import { loadConfig } from '../../src/config/load.ts'
import { resolveAuth, isLoopback } from '../../src/auth/mode.ts'
import { formatLine, mintKey, parseKeys, hashKey } from '../../src/auth/keys.ts'
import { presentedKey } from '../../src/http/plugins/auth.ts'

const root = new URL('../..', import.meta.url).pathname
const score = { groups: [{ id: 'g', reference: { type: 'math', answer: '2' }, completions: [r1('1+1', '2')] }] }

test('auth mode: off on loopback without keys; any other address refuses unless AUTH=off or keys are given', (t) => {
  assert.equal(resolveAuth(loadConfig({})).enabled, false)
  assert.equal(resolveAuth(loadConfig({ HOST: '::1' })).enabled, false)
  assert.throws(() => resolveAuth(loadConfig({ HOST: '0.0.0.0' })), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'RWD_ERR_CONFIG_INVALID')
    assert.match(err.message, /API_KEYS_FILE.*0\.0\.0\.0.*AUTH=off/s)
    return true
  })
  assert.equal(resolveAuth(loadConfig({ HOST: '0.0.0.0', AUTH: 'off' })).enabled, false)
  assert.throws(() => resolveAuth(loadConfig({ AUTH: 'on' })), /AUTH=on needs API_KEYS_FILE/)
  const keys = keysFile(t, { a: ['score'] })
  assert.equal(resolveAuth(loadConfig({ HOST: '10.1.2.3', API_KEYS_FILE: keys.path })).enabled, true)
  assert.throws(() => resolveAuth(loadConfig({ API_KEYS_FILE: '/nonexistent/keys' })), /API_KEYS_FILE/)
  assert.ok(isLoopback('127.0.0.2') && isLoopback('localhost') && !isLoopback('0.0.0.0') && !isLoopback('::') && !isLoopback('10.0.0.1'))
})

test('the server entry refuses to start on a non-loopback address without keys: non-zero exit, the reason on stderr', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env: { ...process.env, HOST: '0.0.0.0', PORT: '0', API_KEYS_FILE: '', AUTH: '' }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  assert.notEqual(code, 0)
  assert.match(stderr, /not starting.*API_KEYS_FILE/s)
})

test('keys file: name, scopes and SHA-256 per line; malformed lines are refused naming the line', () => {
  const key = mintKey()
  assert.match(key, /^rvk_[A-Za-z0-9_-]{43}$/)
  const line = formatLine('alice', ['score', 'rollouts:run-1'], key)
  assert.ok(!line.includes(key), 'the key itself is never written')
  assert.ok(line.includes(hashKey(key)))
  const [entry] = parseKeys(`# comment\n\n${line}`)
  assert.equal(entry?.name, 'alice')
  assert.deepEqual(entry?.scopes, [{ kind: 'score' }, { kind: 'rollouts', run: 'run-1' }])
  assert.throws(() => parseKeys(`a score ${'0'.repeat(64)}\nb scor ${'0'.repeat(64)}`), /line 2: unknown scope 'scor'/)
  assert.throws(() => parseKeys('a score deadbeef'), /line 1: .*SHA-256/)
  assert.throws(() => parseKeys(`a score ${'0'.repeat(64)}\na admin ${'1'.repeat(64)}`), /repeats/)
  assert.throws(() => parseKeys(`a rollouts:bad/run ${'0'.repeat(64)}`), /unknown scope/)
})

test('keys are read from Bearer or Basic (any username, the key as password)', () => {
  assert.equal(presentedKey('Bearer abc'), 'abc')
  assert.equal(presentedKey('bearer abc'), 'abc')
  assert.equal(presentedKey(basic('k3y').authorization), 'k3y')
  assert.equal(presentedKey(basic('k3y:with:colons', '').authorization), 'k3y:with:colons')
  assert.equal(presentedKey('Token abc'), null)
  assert.equal(presentedKey(undefined), null)
})

test('401 without a key or with an unknown one, 403 with a key lacking the scope; probes and docs stay open', async (t) => {
  const keys = keysFile(t, { scorer: ['score'], ops: ['metrics'], admin: ['admin'], trainer: ['trainer:*'] })
  const app = await build(t, { API_KEYS_FILE: keys.path })
  for (const url of ['/healthz', '/docs/json', '/docs']) {
    const r = await app.inject({ url })
    assert.ok(r.statusCode < 400, `${url}: ${r.statusCode}`)
  }
  const none = await app.inject({ method: 'POST', url: '/v1/score', payload: score })
  assert.equal(none.statusCode, 401)
  assert.equal(none.json<{ code: string }>().code, 'RWD_ERR_UNAUTHORIZED')
  assert.match(String(none.headers['www-authenticate']), /Bearer/)
  const unknown = await app.inject({ method: 'POST', url: '/v1/score', payload: score, headers: bearer(mintKey()) })
  assert.equal(unknown.statusCode, 401)
  const wrongScope = await app.inject({ method: 'POST', url: '/v1/score', payload: score, headers: bearer(keys.key.trainer) })
  assert.equal(wrongScope.statusCode, 403)
  assert.equal(wrongScope.json<{ code: string }>().code, 'RWD_ERR_FORBIDDEN')
  assert.match(wrongScope.json<{ message: string }>().message, /score/)
  for (const headers of [bearer(keys.key.scorer), basic(keys.key.scorer, 'anyone')]) {
    const ok = await app.inject({ method: 'POST', url: '/v1/score', payload: score, headers })
    assert.equal(ok.statusCode, 200, ok.body)
  }
  for (const url of ['/v1/verify/math', '/v1/verify/code', '/v1/eval', '/get_reward']) {
    const r = await app.inject({ method: 'POST', url, payload: {}, headers: bearer(keys.key.trainer) })
    assert.equal(r.statusCode, 403, url)
  }
  // the body of an unauthenticated request is never read or validated
  const unread = await app.inject({ method: 'POST', url: '/v1/score', payload: '{not json', headers: { 'content-type': 'application/json' } })
  assert.equal(unread.statusCode, 401)
  // metrics: its own scope
  assert.equal((await app.inject({ url: '/metrics' })).statusCode, 401)
  assert.equal((await app.inject({ url: '/metrics', headers: bearer(keys.key.scorer) })).statusCode, 403)
  assert.equal((await app.inject({ url: '/metrics', headers: bearer(keys.key.ops) })).statusCode, 200)
  // the dashboard and its API, listings included, need admin
  for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
    assert.equal((await app.inject({ url })).statusCode, 401, url)
    assert.equal((await app.inject({ url, headers: bearer(keys.key.scorer) })).statusCode, 403, url)
    const admin = await app.inject({ url, headers: bearer(keys.key.admin) })
    assert.ok(admin.statusCode !== 401 && admin.statusCode !== 403, `${url}: ${admin.statusCode}`)
  }
  assert.equal((await app.inject({ method: 'PUT', url: '/admin/queues/api/queues/rollouts/pause', headers: bearer(keys.key.scorer) })).statusCode, 403)
})

test('METRICS_AUTH=false opens /metrics only', async (t) => {
  const keys = keysFile(t, { a: ['score'] })
  const app = await build(t, { API_KEYS_FILE: keys.path, METRICS_AUTH: 'false' })
  assert.equal((await app.inject({ url: '/metrics' })).statusCode, 200)
  assert.equal((await app.inject({ method: 'POST', url: '/v1/score', payload: score })).statusCode, 401)
})

test('a key added while the service runs is accepted once the file is re-read', async (t) => {
  const keys = keysFile(t, { a: ['score'] })
  const app = await build(t, { API_KEYS_FILE: keys.path })
  const late = mintKey()
  appendFileSync(keys.path, formatLine('late', ['score'], late))
  await new Promise(resolve => setTimeout(resolve, 2100))
  const r = await app.inject({ method: 'POST', url: '/v1/score', payload: score, headers: bearer(late) })
  assert.equal(r.statusCode, 200, r.body)
})

test('runs: a key submits to, reads, leases from and acks only its runs (real Redis)', async (t) => {
  const keys = keysFile(t, { a: ['rollouts:run-a', 'trainer:run-a'], b: ['rollouts:run-b', 'trainer:run-b'], all: ['rollouts:*', 'trainer:*'] })
  const prefix = `rwd-auth-${randomUUID().slice(0, 8)}`
  const app = await build(t, { API_KEYS_FILE: keys.path, QUEUE_PREFIX: prefix })
  cleanupPrefix(t, prefix)
  const A = bearer(keys.key.a)
  const B = bearer(keys.key.b)
  const rollout = { id: `r-${randomUUID()}`, run: 'run-a', groups: [{ id: 'g', reference: { type: 'math', answer: '2' }, completions: [r1('x', '2'), r1('y', '3')] }] }
  const intoOther = await app.inject({ method: 'POST', url: '/v1/rollouts', payload: rollout, headers: B })
  assert.equal(intoOther.statusCode, 403)
  assert.match(intoOther.json<{ message: string }>().message, /rollouts:run-a/)
  const mine = await app.inject({ method: 'POST', url: '/v1/rollouts', payload: rollout, headers: A })
  assert.equal(mine.statusCode, 202, mine.body)
  const url = `/v1/rollouts/${encodeURIComponent(rollout.id)}`
  assert.equal((await app.inject({ url, headers: B })).statusCode, 403)
  assert.equal((await app.inject({ url, headers: bearer(keys.key.all) })).statusCode, 200)
  assert.equal((await app.inject({ url: `${url}?wait=20000`, headers: A })).json<{ state: string }>().state, 'waiting') // no worker here
  const lease = { run: 'run-a', max_groups: 10, lease_ms: 5000 }
  assert.equal((await app.inject({ method: 'POST', url: '/v1/trainer/lease', payload: lease, headers: B })).statusCode, 403)
  const leased = await app.inject({ method: 'POST', url: '/v1/trainer/lease', payload: lease, headers: A })
  assert.equal(leased.statusCode, 200, leased.body)
  // a lease id of run-a (as a trainer of run-b would have to guess or steal it) is refused for b
  const leaseId = `run-a.${randomUUID()}`
  for (const op of ['ack', 'nack']) {
    const r = await app.inject({ method: 'POST', url: `/v1/trainer/${op}`, payload: { lease: leaseId }, headers: B })
    assert.equal(r.statusCode, 403, op)
  }
  const extend = await app.inject({ method: 'POST', url: '/v1/trainer/extend', payload: { lease: leaseId, lease_ms: 5000 }, headers: B })
  assert.equal(extend.statusCode, 403)
  assert.equal((await app.inject({ method: 'POST', url: '/v1/trainer/ack', payload: { lease: leaseId }, headers: A })).statusCode, 404)
})

test('reward-verifier keys add prints the key once and appends only its hash; list shows names and scopes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rwd-keys-cli-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  const file = join(dir, 'keys')
  const run = async (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> => {
    const child = spawn(process.execPath, ['bin/reward-verifier.js', 'keys', ...args], { cwd: root, env: { ...process.env, API_KEYS_FILE: file } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
    return { code, stdout, stderr }
  }
  const added = await run(['add', '--name', 'openrlhf', '--scope', 'score', '--scope', 'trainer:run-1'])
  assert.equal(added.code, 0, added.stderr)
  const key = added.stdout.trim()
  assert.match(key, /^rvk_/)
  const text = readFileSync(file, 'utf8')
  assert.ok(!text.includes(key))
  assert.ok(text.includes(`openrlhf score,trainer:run-1 ${hashKey(key)}`))
  assert.equal((await run(['add', '--name', 'openrlhf', '--scope', 'score'])).code, 1)
  assert.equal((await run(['add', '--name', 'x', '--scope', 'root'])).code, 2)
  const listed = await run(['list'])
  assert.match(listed.stdout, /openrlhf\tscore,trainer:run-1/)
})

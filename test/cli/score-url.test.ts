import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/load.ts'
import { runCli, fixture, tempDir, readJsonl } from './run-cli.ts'

async function listen (t: TestContext, env: Record<string, string> = {}): Promise<string> {
  const app = await buildApp({ config: loadConfig({ MATH_THREADS: '1', TEXT_THREADS: '0', ...env }), logger: false })
  t.after(async () => { await app.close() })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

const strip = (l: Record<string, unknown>): unknown => {
  const results = l.results as Array<{ components: Record<string, { details?: Record<string, unknown> }> }>
  // elapsed times differ run to run; everything else must match
  return { ...l, results: results.map(r => JSON.parse(JSON.stringify(r, (k, v: unknown) => k === 'elapsed_ms' ? undefined : v)) as unknown) }
}

test('score --url: a running service gives the same lines as in-process scoring', async (t) => {
  const url = await listen(t)
  const dir = tempDir(t)
  const viaUrl = join(dir, 'url.jsonl')
  const local = join(dir, 'local.jsonl')
  const r = await runCli(['score', '--in', fixture('good.jsonl'), '--out', viaUrl, '--url', url, '--batch-size', '2'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal((await runCli(['score', '--in', fixture('good.jsonl'), '--out', local])).code, 0)
  const a = readJsonl(readFileSync(viaUrl, 'utf8')).map(strip)
  const b = readJsonl(readFileSync(local, 'utf8')).map(strip)
  assert.equal(a.length, 6)
  assert.deepEqual(a, b)
})

test('score --url: a group the service rejects is reported as a bad line; the rest of its batch is scored', async (t) => {
  const url = await listen(t, { MAX_COMPLETION_CHARS: '200' })
  const dir = tempDir(t)
  const input = join(dir, 'in.jsonl')
  const long = { id: 'long', reference: { type: 'math', answer: '1' }, completions: ['x'.repeat(500)] }
  const good = readFileSync(fixture('good.jsonl'), 'utf8').trim().split('\n')
  writeFileSync(input, [good[0], JSON.stringify(long), good[1]].join('\n') + '\n')
  const out = join(dir, 'out.jsonl')
  const r = await runCli(['score', '--in', input, '--out', out, '--url', url, '--batch-size', '8'])
  assert.equal(r.code, 1)
  assert.match(r.stderr, new RegExp(`${input}:2: bad line: rejected by the service: HTTP 413 RWD_ERR_REQUEST_TOO_LARGE: .*MAX_COMPLETION_CHARS`))
  assert.deepEqual(readJsonl(readFileSync(out, 'utf8')).map(l => l.id), ['q1', 'q2'])
})

test('score --url: an unreachable service fails after retries and says how to resume', async (t) => {
  const out = join(tempDir(t), 'out.jsonl')
  const r = await runCli(['score', '--in', fixture('good.jsonl'), '--out', out, '--url', 'http://127.0.0.1:9'], {})
  assert.equal(r.code, 1)
  assert.match(r.stderr, /retrying in/)
  assert.match(r.stderr, /gave up after 5 attempts/)
  assert.match(r.stderr, /rerun the same command to resume/)
})

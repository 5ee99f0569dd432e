import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, fixture, tempDir } from './run-cli.ts'
import type { EvalReply } from '../../src/eval/schema.ts'

test('eval: metrics of scored JSONL, as a table, as JSON, and as a self-contained HTML report', async (t) => {
  const dir = tempDir(t)
  const scored = join(dir, 'scored.jsonl')
  assert.equal((await runCli(['score', '--in', fixture('good.jsonl'), '--out', scored])).code, 0)
  const json = await runCli(['eval', '--in', scored, '--k', '1,2,5', '--json'])
  assert.equal(json.code, 0, json.stderr)
  const r = JSON.parse(json.stdout) as EvalReply
  assert.deepEqual(r.k, [1, 2, 5])
  assert.ok(Math.abs((r.overall.pass_at_1 ?? 0) - 0.6) < 1e-9)
  assert.ok(Math.abs((r.overall.pass_at_k[1]?.value ?? 0) - 0.8) < 1e-9)
  assert.ok(Math.abs((r.overall.maj_at_k[2]?.value ?? 0) - 0.6) < 1e-9)

  const report = join(dir, 'report.html')
  const table = await runCli(['eval', '--in', scored, '--report', report, '--out', join(dir, 'metrics.json')])
  assert.equal(table.code, 0, table.stderr)
  assert.match(table.stdout, /pass@1 60\.0%/)
  assert.match(table.stdout, /^k\s+pass@k\s+maj@k\s+problems$/m)
  assert.match(table.stdout, /^arithmetic\s+3\s+73\.3%/m)
  const html = readFileSync(report, 'utf8')
  assert.match(html, /<svg id="plot-k"/)
  assert.match(html, /<svg id="plot-categories"/)
  assert.match(html, /<svg id="plot-rewards"/)
  // self-contained: nothing is fetched (the SVG namespace is an identifier, not a fetch)
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|url\(|@import|\s(src|href)=/i)
  assert.deepEqual(html.match(/https?:\/\/[^"'\s)]+/g)?.filter(u => u !== 'http://www.w3.org/2000/svg') ?? [], [])
  assert.deepEqual((JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as EvalReply).k, [1, 2, 4, 5])
})

test('eval: malformed lines are reported with line numbers and fail the run unless allowed', async (t) => {
  const dir = tempDir(t)
  const scored = join(dir, 'scored.jsonl')
  assert.equal((await runCli(['score', '--in', fixture('good.jsonl'), '--out', scored])).code, 0)
  const lines = readFileSync(scored, 'utf8').trim().split('\n')
  const bad = join(dir, 'bad.jsonl')
  writeFileSync(bad, [lines[0], '{"id": "x", "results": []}', 'nope', lines[1], lines[0]].join('\n') + '\n')
  const r = await runCli(['eval', '--in', bad, '--json', '--no-equivalence'])
  assert.equal(r.code, 1)
  assert.match(r.stderr, new RegExp(`${bad}:2: bad line: field /results must not have fewer than 1 items`))
  assert.match(r.stderr, new RegExp(`${bad}:3: bad line: not valid JSON`))
  assert.match(r.stderr, new RegExp(`${bad}:5: bad line: id 'q1' repeats line 1`))
  assert.equal((JSON.parse(r.stdout) as EvalReply).overall.problems, 2)
  const ok = await runCli(['eval', '--in', bad, '--allow-bad-lines', '--no-equivalence'])
  assert.equal(ok.code, 0)
})

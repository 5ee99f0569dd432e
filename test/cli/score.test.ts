import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync, truncateSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, fixture, tempDir, readJsonl } from './run-cli.ts'

const ids = (path: string): unknown[] => readJsonl(readFileSync(path, 'utf8')).map(g => g.id)

test('score: every group scored, in input order, with results, advantages and stats', async (t) => {
  const out = join(tempDir(t), 'scored.jsonl')
  const r = await runCli(['score', '--in', fixture('good.jsonl'), '--out', out, '--batch-size', '2', '--concurrency', '3'])
  assert.equal(r.code, 0, r.stderr)
  const lines = readJsonl(readFileSync(out, 'utf8'))
  const input = readJsonl(readFileSync(fixture('good.jsonl'), 'utf8'))
  assert.deepEqual(lines.map(l => l.id), input.map(g => g.id))
  lines.forEach((l, i) => {
    const g = input[i] as { completions: string[], prompt: string, category: string }
    assert.equal(l.prompt, g.prompt)
    assert.equal(l.category, g.category)
    assert.equal((l.results as unknown[]).length, g.completions.length)
    assert.equal((l.advantages as unknown[]).length, g.completions.length)
    assert.equal(typeof (l.stats as { count: number }).count, 'number')
    assert.match(String(l.config_hash), /^[0-9a-f]{16}$/)
  })
  const q2 = lines[1] as { results: Array<{ reward: number, components: { accuracy: { score: number } } }> }
  assert.deepEqual(q2.results.map(x => x.components.accuracy.score), [1, 0, 0, 0, 1])
  assert.match(r.stderr, /scored 6 groups \(27 samples\)/)
  assert.match(r.stderr, /0 bad lines/)
})

test('score: malformed lines are reported with line number and reason, left out, and fail the run', async (t) => {
  const out = join(tempDir(t), 'scored.jsonl')
  const r = await runCli(['score', '--in', fixture('bad-lines.jsonl'), '--out', out])
  assert.equal(r.code, 1)
  const bad = fixture('bad-lines.jsonl')
  assert.match(r.stderr, new RegExp(`${bad}:2: bad line: not valid JSON`))
  assert.match(r.stderr, new RegExp(`${bad}:3: bad line: field /reference/answer is required`))
  assert.match(r.stderr, new RegExp(`${bad}:6: bad line: field /completions must not have fewer than 1 items`))
  assert.match(r.stderr, new RegExp(`${bad}:7: bad line: id 'q1' repeats line 1`))
  assert.match(r.stderr, new RegExp(`${bad}:8: bad line: field /extra is not a known field`))
  assert.doesNotMatch(r.stderr, /:5: bad line/) // a blank line is no group
  assert.match(r.stderr, /5 bad lines/)
  assert.match(r.stderr, /--allow-bad-lines/)
  assert.deepEqual(ids(out), ['q1', 'q2', 'q3'])

  const out2 = join(tempDir(t), 'scored.jsonl')
  const ok = await runCli(['score', '--in', bad, '--out', out2, '--allow-bad-lines'])
  assert.equal(ok.code, 0, ok.stderr)
  assert.match(ok.stderr, /5 bad lines/)
  assert.deepEqual(ids(out2), ['q1', 'q2', 'q3'])
})

test('score: a rerun resumes, cutting a truncated last line and skipping groups already written', async (t) => {
  const dir = tempDir(t)
  const full = join(dir, 'full.jsonl')
  assert.equal((await runCli(['score', '--in', fixture('good.jsonl'), '--out', full])).code, 0)
  const text = readFileSync(full, 'utf8')
  const firstTwo = text.split('\n').slice(0, 2).join('\n').length + 1
  const partial = join(dir, 'partial.jsonl')
  writeFileSync(partial, text)
  truncateSync(partial, firstTwo + 40) // two whole lines and part of the third, as a killed run leaves it
  const r = await runCli(['score', '--in', fixture('good.jsonl'), '--out', partial])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /removed an incomplete last line \(40 bytes\)/)
  assert.match(r.stderr, /resuming: 2 groups already in/)
  assert.match(r.stderr, /scored 4 groups .*; 2 skipped/)
  assert.equal(readFileSync(partial, 'utf8'), text)

  const again = await runCli(['score', '--in', fixture('good.jsonl'), '--out', partial])
  assert.equal(again.code, 0)
  assert.match(again.stderr, /scored 0 groups .*; 6 skipped/)
  assert.equal(statSync(partial).size, text.length)
})

test('score: resuming with other reward options is refused', async (t) => {
  const out = join(tempDir(t), 'scored.jsonl')
  assert.equal((await runCli(['score', '--in', fixture('good.jsonl'), '--out', out])).code, 0)
  const r = await runCli(['score', '--in', fixture('good.jsonl'), '--out', out, '--rewards', '{"format":{"mode":"partial"}}'])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /was scored with config [0-9a-f]+, these options give [0-9a-f]+/)
})

test('score: usage errors exit 2 and name the problem', async () => {
  const r = await runCli(['score', '--in', fixture('good.jsonl')])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /--out is required/)
  const bad = await runCli(['score', '--in', 'a', '--out', 'b', '--rewards', '{"format":{"mdoe":"x"}}'])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--rewards: field \/format\/mdoe is not a known field/)
  const unwritable = await runCli(['score', '--in', fixture('good.jsonl'), '--out', '/nonexistent-dir/out.jsonl'])
  assert.equal(unwritable.code, 1)
  assert.match(unwritable.stderr, /stopped: cannot write \/nonexistent-dir\/out\.jsonl: ENOENT/)
  const missing = await runCli(['score', '--in', '/nonexistent-dir/in.jsonl', '--out', '/tmp/never-written.jsonl'])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /cannot read --in \/nonexistent-dir\/in\.jsonl/)
  const help = await runCli(['score', '--help'])
  assert.equal(help.code, 0)
  assert.match(help.stdout, /--allow-bad-lines/)
})

test('score: --config file and --rewards give the same configuration; it differs from the defaults', async (t) => {
  const dir = tempDir(t)
  const cfg = join(dir, 'config.json')
  writeFileSync(cfg, JSON.stringify({ rewards: { format: { mode: 'partial' }, accuracy: { weight: 2 } }, advantages: { scale: 'dr_grpo' } }))
  const hashOf = async (args: string[], name: string): Promise<unknown> => {
    const out = join(dir, name)
    const r = await runCli(['score', '--in', fixture('good.jsonl'), '--out', out, ...args])
    assert.equal(r.code, 0, r.stderr)
    return readJsonl(readFileSync(out, 'utf8'))[1]?.config_hash
  }
  const fromFile = await hashOf(['--config', cfg], 'a.jsonl')
  const fromFlags = await hashOf(['--rewards', '{"format":{"mode":"partial"},"accuracy":{"weight":2}}', '--advantages', '{"scale":"dr_grpo"}'], 'b.jsonl')
  assert.equal(fromFile, fromFlags)
  assert.notEqual(fromFile, await hashOf([], 'c.jsonl'))
  const q2 = readJsonl(readFileSync(join(dir, 'a.jsonl'), 'utf8'))[1] as { results: Array<{ reward: number }>, advantages: number[] }
  assert.deepEqual(q2.results.map(r => r.reward), [3, 1, 1, 1, 3]) // format 1 + 2 × accuracy
  assert.ok(Math.abs((q2.advantages[0] ?? 0) - 1.2) < 1e-9) // dr_grpo: r − mean = 3 − 1.8
})

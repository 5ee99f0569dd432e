import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scanOutput, ResumeError } from '../../../src/cli/resume.ts'
import { withFields } from '../../../src/cli/score-run.ts'

const line = (id: string, hash = 'h1'): string => `${JSON.stringify({ id, results: [], config_hash: hash })}\n`

test('scanOutput: ids and config hash of complete lines; an unterminated last line is cut off', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rwd-resume-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const p = join(dir, 'out.jsonl')
  assert.deepEqual(await scanOutput(p), { doneIds: new Set(), configHash: null, lines: 0, truncatedBytes: 0 })
  writeFileSync(p, line('a') + line('é') + '{"id":"c","res')
  const s = await scanOutput(p)
  assert.deepEqual([...s.doneIds], ['a', 'é'])
  assert.equal(s.configHash, 'h1')
  assert.equal(s.truncatedBytes, 14)
  assert.equal(readFileSync(p, 'utf8'), line('a') + line('é'))
  // a complete JSON line without its newline is also an interrupted write
  writeFileSync(p, line('a') + line('b').trimEnd())
  assert.deepEqual([...(await scanOutput(p)).doneIds], ['a'])
})

test('scanOutput: a corrupt line in the middle, or mixed configs, stop the resume', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rwd-resume-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const p = join(dir, 'out.jsonl')
  writeFileSync(p, line('a') + 'garbage\n' + line('b'))
  await assert.rejects(scanOutput(p), (e: Error) => e instanceof ResumeError && /out\.jsonl:2 is not valid JSON/.test(e.message))
  writeFileSync(p, line('a') + line('b', 'h2'))
  await assert.rejects(scanOutput(p), /out\.jsonl:2 was scored with config h2, earlier lines with h1/)
})

test('withFields appends fields to a JSON object line', () => {
  const out = withFields('{"id":"a","completions":["x}"]}  ', { results: [1], stats: { n: 1 } })
  assert.deepEqual(JSON.parse(out), { id: 'a', completions: ['x}'], results: [1], stats: { n: 1 } })
})

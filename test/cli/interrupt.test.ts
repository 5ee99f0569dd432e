import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFileSync, readFileSync, statSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { once } from 'node:events'
import { runCli, tempDir, root } from './run-cli.ts'

/** 3,000 small math groups (30,000 samples): a run of a few seconds, long enough to interrupt. */
function writeInput (path: string): string[] {
  const ids: string[] = []
  const lines: string[] = []
  for (let i = 0; i < 3000; i++) {
    const a = (i * 7919) % 1000
    const completions = Array.from({ length: 10 }, (_, j) => `<think>\nadd\n</think>\n<answer>\n${a + (j % 3)}\n</answer>`)
    ids.push(`g${i}`)
    lines.push(JSON.stringify({ id: `g${i}`, reference: { type: 'math', answer: String(a) }, completions }))
  }
  writeFileSync(path, lines.join('\n') + '\n')
  return ids
}

async function interrupted (input: string, out: string, signal: NodeJS.Signals): Promise<number | null> {
  const child = spawn(process.execPath, [join(root, 'bin/reward-verifier.js'), 'score', '--in', input, '--out', out, '--batch-size', '16'],
    { cwd: root, env: { ...process.env, MATH_THREADS: '1', TEXT_THREADS: '0' }, stdio: 'ignore' })
  // wait until some output is written, then interrupt
  for (let i = 0; i < 600 && !(existsSync(out) && statSync(out).size > 20_000); i++) await new Promise(resolve => setTimeout(resolve, 25))
  child.kill(signal)
  const [code] = await once(child, 'close') as [number | null]
  return code
}

const idsOf = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(l => l !== '').map(l => (JSON.parse(l) as { id: string }).id)

test('score killed with SIGKILL mid-run, then rerun: every group once, in input order', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t)
  const input = join(dir, 'in.jsonl')
  const ids = writeInput(input)
  const out = join(dir, 'out.jsonl')
  assert.equal(await interrupted(input, out, 'SIGKILL'), null)
  const before = statSync(out).size
  assert.ok(before > 0)
  const r = await runCli(['score', '--in', input, '--out', out])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /resuming: \d+ groups already in/)
  assert.deepEqual(idsOf(out), ids)
})

test('score interrupted with SIGINT: finishes the batches in flight, exits 130, and resumes', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t)
  const input = join(dir, 'in.jsonl')
  const ids = writeInput(input)
  const out = join(dir, 'out.jsonl')
  assert.equal(await interrupted(input, out, 'SIGINT'), 130)
  const partial = idsOf(out) // every line whole: parses, and no line was cut
  assert.ok(partial.length > 0 && partial.length < ids.length, `${partial.length} groups written`)
  assert.deepEqual(partial, ids.slice(0, partial.length))
  assert.ok(readFileSync(out, 'utf8').endsWith('\n'))
  const r = await runCli(['score', '--in', input, '--out', out])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, new RegExp(`resuming: ${partial.length} groups already in`))
  assert.deepEqual(idsOf(out), ids)
})

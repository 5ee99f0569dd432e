/** Runs the real bin (bin/reward-verifier.js) as a child process, for the CLI tests. */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'

export const root = new URL('../..', import.meta.url).pathname
export const fixture = (name: string): string => join(root, 'test/fixtures/cli', name)

export interface CliResult { code: number | null, stdout: string, stderr: string }

export async function runCli (args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [join(root, 'bin/reward-verifier.js'), ...args], {
    cwd: root,
    env: { ...process.env, MATH_THREADS: '1', TEXT_THREADS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return { code, stdout, stderr }
}

/** A temporary directory removed when the test ends. */
export function tempDir (t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'rwd-cli-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export const readJsonl = (text: string): Array<Record<string, unknown>> =>
  text.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as Record<string, unknown>)

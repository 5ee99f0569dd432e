#!/usr/bin/env node
// Runs node's built-in test runner over test/**/*.test.ts (Node 20 expands no globs in --test).
// Usage: npm test [-- path-prefix ...]   e.g. npm test -- test/unit/math
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { spawn } from 'node:child_process'

const root = new URL('..', import.meta.url).pathname
function walk (dir) {
  const out = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...walk(p))
    else if (name.endsWith('.test.ts')) out.push(relative(root, p))
  }
  return out
}
const filters = process.argv.slice(2)
const files = walk(join(root, 'test')).sort()
  .filter(f => filters.length === 0 || filters.some(x => f.startsWith(x.replace(/^\.\//, ''))))
if (files.length === 0) {
  console.error('no test files matched', filters)
  process.exit(1)
}
// --test-force-exit: a test file whose tests are done exits even if a handle leaked (a leak must not hang CI);
// --test-timeout: no single test runs past 10 minutes.
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', '--test-timeout=600000', ...files]
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' })
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))

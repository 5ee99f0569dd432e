/**
 * A warm Go build cache (GOCACHE) for the compile jails: the standard-library packages HumanEval-X and
 * competition Go programs import, `testing` and Debian's testify, compiled once per go toolchain into
 * <cacheDir>/go-cache-<stamp>/ and bound read-only at /gocache. Without it every compile starts from an empty
 * GOCACHE in the jail's /tmp and builds those packages again (measured: 6.1 s for a testify test program
 * with an empty cache, 0.5 s with a warm one). Read-only, so no program can plant an object file that a later
 * compile would link (go ignores a cache it cannot write to). Built outside the jails from this fixed source:
 * system-package code, never model code. A failure to build it only costs speed (compiles fall back to /tmp).
 */
import { execFile } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { toolchainStamp } from './toolchains.ts'
import { cacheKey, dirOnce } from './cache.ts'

const STD = ['bufio', 'bytes', 'container/heap', 'container/list', 'crypto/md5', 'encoding/json', 'errors', 'fmt', 'io',
  'math', 'math/big', 'math/bits', 'math/rand', 'os', 'reflect', 'regexp', 'sort', 'strconv', 'strings', 'time', 'unicode',
  'unicode/utf8']
const WARM_TEST = `package main

import (
${STD.map(p => `\t_ "${p}"`).join('\n')}
\t"testing"
\t"github.com/stretchr/testify/assert"
)

func TestWarm(t *testing.T) { assert.New(t).Equal(1, 1) }
`
const WARM_MAIN = `package main

import (
${STD.map(p => `\t_ "${p}"`).join('\n')}
)

func main() {}
`

/** The warm cache's directory for `env` (the compile jail's Go environment, GOCACHE aside), built once. */
export function ensureGoCache (cacheDir: string, env: Record<string, string>): Promise<string> {
  const dir = join(cacheDir, `go-cache-${cacheKey([toolchainStamp('go'), WARM_TEST, WARM_MAIN, JSON.stringify(env)]).slice(0, 16)}`)
  return dirOnce(dir, async () => await build(dir, env))
}

function go (args: string[], cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/go', args, { cwd, timeout: 600_000, env: { ...env, HOME: cwd, GOTMPDIR: cwd } }, (err, _o, stderr) =>
      err ? reject(new Error(`go ${args[0] ?? ''} failed: ${String(stderr).slice(-800)}`)) : resolve())
  })
}

async function build (dir: string, env: Record<string, string>): Promise<string> {
  if (!existsSync('/usr/bin/go')) throw new Error('/usr/bin/go not found (apt-get install golang-go; npm run setup)')
  const work = `${dir}.build-${randomBytes(4).toString('hex')}`
  const cache = join(work, 'cache')
  mkdirSync(join(work, 'src'), { recursive: true })
  writeFileSync(join(work, 'src', 'main_test.go'), WARM_TEST)
  writeFileSync(join(work, 'src', 'main.go'), WARM_MAIN)
  try {
    const e = { ...env, GOCACHE: cache }
    await go(['test', '-c', '-vet=off', '-o', join(work, 'test.bin'), join(work, 'src', 'main_test.go')], work, e)
    await go(['build', '-o', join(work, 'main.bin'), join(work, 'src', 'main.go')], work, e)
    readOnly(cache)
    try { renameSync(cache, dir) } catch { /* another process made it first */ }
    return dir
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** Root-owned, world-readable, writable by nobody else: jails read it, none can add to it. */
function readOnly (path: string): void {
  const st = statSync(path)
  if (st.isDirectory()) {
    for (const n of readdirSync(path)) readOnly(join(path, n))
    chmodSync(path, 0o755)
  } else {
    chmodSync(path, 0o644)
  }
}

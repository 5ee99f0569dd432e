/**
 * The build cache: a group of 16 identical C++ completions against 20 tests compiles once; distinct
 * languages/flags are distinct keys; two caches on one directory (two processes) agree; the disk bound holds.
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NativeRuntime } from '../../../src/sandbox/native/runtime.ts'
import { runNative } from '../../../src/rewards/code/native-run.ts'
import { BuildCache } from '../../../src/sandbox/native/cache.ts'
import { NATIVE_META } from '../../../src/sandbox/native/toolchains.ts'
import { skipUnless } from './helper.ts'

const ADD = '#include <iostream>\nint main () { long long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }\n'

describe('build cache', { skip: skipUnless('cpp') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rv-native-cache-'))
  const rt = new NativeRuntime({ slots: 2, uidBase: 66200, checkerUidBase: 66250, cacheDir: dir, cacheBytes: 1 << 30 })
  after(() => { rt.close(); rmSync(dir, { recursive: true, force: true }) })

  test('16 identical completions x 20 tests compile once and all pass', async () => {
    const cases = Array.from({ length: 20 }, (_, i) => ({ stdin: `${i} ${i * 7}`, stdout: String(i * 8) }))
    const before = rt.cache.builds
    const limits = NATIVE_META.cpp.limits
    const results = await Promise.all(Array.from({ length: 16 }, () =>
      runNative(rt, { language: 'cpp', code: ADD, tests: { type: 'stdio', cases } }, limits)))
    assert.equal(rt.cache.builds - before, 1)
    for (const r of results) assert.equal(r.reward, 1, JSON.stringify(r).slice(0, 300))
    // a later request (another group, another step) finds it on disk
    const again = await runNative(rt, { language: 'cpp', code: ADD, tests: { type: 'stdio', cases: cases.slice(0, 1) } }, limits)
    assert.equal(again.build?.cached, true)
    assert.equal(rt.cache.builds - before, 1)
  })

  test('another language standard or another program is another build', async () => {
    const before = rt.cache.builds
    const limits = NATIVE_META.cpp.limits
    const tests = { type: 'stdio' as const, cases: [{ stdin: '1 2', stdout: '3' }] }
    await runNative(rt, { language: 'cpp20', code: ADD, tests }, limits)
    await runNative(rt, { language: 'cpp', code: ADD + '// other\n', tests }, limits)
    assert.equal(rt.cache.builds - before, 2)
  })

  test('two caches on one directory (two processes) share entries; a lost rename race uses the winner', async () => {
    const d = mkdtempSync(join(tmpdir(), 'rv-native-cache2-'))
    try {
      const a = new BuildCache(d, 1 << 20)
      const b = new BuildCache(d, 1 << 20)
      const { mkdirSync, writeFileSync } = await import('node:fs')
      const stage = (n: string) => async (s: string) => {
        mkdirSync(join(s, 'box'))
        writeFileSync(join(s, 'box', 'prog'), n)
        return { kind: 'ok' as const, bytes: 1, compileMs: 1 }
      }
      const [x, y] = await Promise.all([a.get('k1', stage('a')), b.get('k1', stage('b'))])
      assert.equal(x.kind, 'ok')
      assert.equal(y.kind, 'ok')
      if (x.kind === 'ok' && y.kind === 'ok') assert.equal(x.box, y.box)
      const z = await b.get('k1', async () => { throw new Error('must not build again') })
      assert.equal(z.kind === 'ok' && z.cached, true)
    } finally {
      rmSync(d, { recursive: true, force: true })
    }
  })

  test('the disk bound evicts least recently used entries, never one in use', async () => {
    const d = mkdtempSync(join(tmpdir(), 'rv-native-cache3-'))
    try {
      const c = new BuildCache(d, 3000)
      const { mkdirSync, writeFileSync, utimesSync, existsSync } = await import('node:fs')
      const entry = (n: number) => async (s: string) => {
        mkdirSync(join(s, 'box'))
        writeFileSync(join(s, 'box', 'prog'), 'x'.repeat(1000))
        return { kind: 'ok' as const, bytes: 1000, compileMs: n }
      }
      const held = c.hold('e0')
      await c.get('e0', entry(0))
      for (let i = 1; i < 6; i++) {
        await c.get(`e${i}`, entry(i))
        const t = new Date(Date.now() - (10 - i) * 1000)
        utimesSync(join(d, 'objects', `e${i}`), t, t)
      }
      utimesSync(join(d, 'objects', 'e0'), new Date(0), new Date(0))
      c.evict()
      assert.ok(c.size() <= 3000, `size ${c.size()}`)
      assert.ok(existsSync(join(d, 'objects', 'e0')), 'an entry in use was evicted')
      assert.ok(existsSync(join(d, 'objects', 'e5')), 'the newest entry was evicted')
      held()
    } finally {
      rmSync(d, { recursive: true, force: true })
    }
  })
})

test('a new cache removes the staging dirs of builders that died mid-build, and keeps a live one\'s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rv-native-sweep-'))
  try {
    new BuildCache(dir, 1 << 20) // eslint-disable-line no-new
    const dead = spawnSync(process.execPath, ['-e', '0']).pid ?? 999_999 // exited: its pid is free
    const key = 'ab'.repeat(32)
    const deadDir = join(dir, 'staging', `${key}-${dead}-0a0b0c`)
    const liveDir = join(dir, 'staging', `${key}-${process.pid}-0d0e0f`)
    mkdirSync(join(deadDir, 'out'), { recursive: true })
    writeFileSync(join(deadDir, 'out', 'a.out'), 'x')
    mkdirSync(liveDir)
    new BuildCache(dir, 1 << 20) // eslint-disable-line no-new
    assert.equal(existsSync(deadDir), false)
    assert.equal(existsSync(liveDir), true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('Go compiles read a warm build cache that no jail can write', { skip: skipUnless('go') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rv-native-gocache-'))
  const rt = new NativeRuntime({ slots: 1, uidBase: 66300, checkerUidBase: 66330, cacheDir: dir, cacheBytes: 1 << 30 })
  try {
    const code = 'package main\nimport "fmt"\nfunc main() { var a, b int; fmt.Scan(&a, &b); fmt.Println(a * b) }\n'
    const r = await runNative(rt, { language: 'go', code, tests: { type: 'stdio', cases: [{ stdin: '6 7', stdout: '42' }] } }, NATIVE_META.go.limits)
    assert.equal(r.reward, 1, JSON.stringify(r).slice(0, 300))
    const warm = readdirSync(dir).filter(n => n.startsWith('go-cache-'))
    assert.equal(warm.length, 1, readdirSync(dir).join(' '))
    const walk = (p: string): string[] => statSync(p).isDirectory() ? [p, ...readdirSync(p).flatMap(n => walk(join(p, n)))] : [p]
    const entries = walk(join(dir, warm[0] as string))
    assert.ok(entries.length > 10, 'the warm cache holds the std packages')
    for (const p of entries) {
      const st = statSync(p)
      assert.equal(st.uid, 0, p)
      assert.equal(st.mode & 0o022, 0, `${p} is writable by others`)
    }
  } finally {
    rt.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSlotCgroup, mkdirs } from '../../src/sandbox/cgroup.ts'

const root = new URL('../../', import.meta.url).pathname

test('mkdirs makes every missing level and accepts an existing directory', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rwd-mkdirs-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  mkdirs(join(dir, 'a', 'b', 'c'))
  assert.ok(statSync(join(dir, 'a', 'b', 'c')).isDirectory())
  mkdirs(join(dir, 'a', 'b', 'c'))
})

// procfs answers ENOENT to mkdir under an existing directory, as sysfs does under the empty /sys/fs/cgroup that
// `ip netns exec` leaves: Node 20's recursive mkdirSync spins there forever. Run in a child with a deadline,
// so a regression fails this test instead of hanging it.
test('mkdirs throws (does not spin) where mkdir answers ENOENT under an existing parent', () => {
  const code = `import { mkdirs } from './src/sandbox/cgroup.ts'
try { mkdirs('/proc/rwd-no-such/dir'); console.log('made') } catch (err) { console.log(err.code) }`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 20_000 })
  assert.equal(r.signal, null, 'returned before the deadline')
  assert.equal(r.stdout.trim(), 'ENOENT')
})

test('a slot cgroup left with a smaller memory cap is raised, not lost (v1 orders memsw and the limit)', (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root to create cgroups'); return }
  const uid = 79990 + (process.pid % 9)
  const small = createSlotCgroup(uid, 64 << 20, 16, false)
  if (typeof small === 'string') { t.skip(small); return }
  t.after(() => { const again = createSlotCgroup(uid, 64 << 20, 16, false); if (typeof again !== 'string') again.remove() })
  assert.equal(small.memory, true)
  // the earlier process ended without removing its cgroup; the next one asks for a larger cap
  const big = createSlotCgroup(uid, 512 << 20, 16, false)
  assert.notEqual(typeof big, 'string')
  assert.equal((big as Exclude<typeof big, string>).memory, true)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { claimUidRange } from '../../src/sandbox/uid-range.ts'

test('uid ranges: never shared while held, reused once released or when the owner is dead', () => {
  const base = 900000 + (process.pid % 1000) * 100
  const a = claimUidRange(base, 4)
  const b = claimUidRange(base, 4)
  assert.equal(a.base, base)
  assert.equal(b.base, base + 4)
  a.release()
  const c = claimUidRange(base, 4)
  assert.equal(c.base, base)
  // a lock left by a process that no longer exists is taken over
  b.release()
  c.release()
  // ranges of other sizes never overlap a held one
  const e = claimUidRange(base, 2)
  const f = claimUidRange(base, 4)
  assert.equal(f.base, base + 4)
  e.release()
  f.release()
  const dir = ['/run/reward-verifier'].find(() => process.getuid?.() === 0) ?? ''
  if (dir !== '') {
    writeFileSync(join(dir, `uid-${base + 1}.lock`), '999999999')
    const d = claimUidRange(base, 4)
    assert.equal(d.base, base)
    d.release()
  }
})

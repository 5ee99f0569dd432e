/** Each runtime's sandboxes/<runtime>/test.<ext> prints OK through the real verifier (stdio form). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createCodeVerifier } from '../../src/rewards/code/verifier.ts'
import { jailUnavailableReason } from '../../src/sandbox/bwrap.ts'

const root = new URL('../../sandboxes/', import.meta.url)

for (const [language, file] of [['python', 'python/test.py'], ['javascript', 'javascript/test.js']] as const) {
  test(`${language} self-test prints OK`, { skip: language === 'python' ? (jailUnavailableReason() ?? false) : false }, async () => {
    const v = createCodeVerifier({ pythonSlots: 1, uidBase: 62200 })
    try {
      const code = readFileSync(new URL(file, root), 'utf8')
      const r = await v.verify({ language, code, tests: { type: 'stdio', cases: [{ stdin: 'ping\n', stdout: 'OK' }] } })
      assert.equal(r.reward, 1, JSON.stringify(r))
    } finally {
      await v.close()
    }
  })
}

test('without bubblewrap a python check answers status error with reward null, never 0', async () => {
  const v = createCodeVerifier({ pythonSlots: 1, uidBase: 62210, bwrap: '/nonexistent/bwrap' })
  try {
    const r = await v.verify({ language: 'python', code: 'def f():\n    return 1\n', tests: { type: 'call', function: 'f', cases: [{ args: [], expected: 1 }] } })
    assert.equal(r.status, 'error')
    assert.equal(r.reward, null)
    assert.match(r.reason ?? '', /bubblewrap not found/)
    await assert.rejects(v.warm(), /bubblewrap not found/)
  } finally {
    await v.close()
  }
})

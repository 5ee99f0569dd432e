/**
 * A small sample of the compiled-language corpora (the full sets run in `npm run bench -- native`): per
 * HumanEval-X language two canonical programs pass and two near-miss wrong ones fail (script tests, trust
 * cooperative); cp_stdio reference solutions pass (C++ and Java, a float row with its stated tolerance) and
 * a known wrong solution fails. Rows are picked by position, never by id.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { nativeVerifier, skipUnless } from './helper.ts'
import { cpStdio, humanevalX, nativeCorpusAvailable, type HeLanguage } from './corpus.ts'
import type { CodeVerifier } from '../../../src/rewards/code/api.ts'

const skip = skipUnless('cpp') || (nativeCorpusAvailable() ? false : 'no ../shared/eval/code corpus')

describe('compiled-language corpora (sample)', { skip }, () => {
  let v: CodeVerifier
  let cleanup: () => Promise<void>
  before(() => { ({ v, cleanup } = nativeVerifier(66500)) })
  after(async () => { await cleanup() })

  for (const language of ['cpp', 'java', 'go', 'rust'] as HeLanguage[]) {
    test(`HumanEval-X ${language}: canonical pass, wrong fail`, { skip: skipUnless(language) }, async () => {
      const { canonical, wrong } = humanevalX(language)
      const picks = [canonical.filter(c => c.status.startsWith('pass'))[7], canonical.filter(c => c.status.startsWith('pass'))[101]]
      const bad = [wrong[13], wrong[120]]
      const rs = await Promise.all([...picks, ...bad].map(async it => {
        assert.ok(it)
        return { it, r: await v.verify(it.input) }
      }))
      for (const { it, r } of rs) {
        assert.equal(r.status, 'ok', `${it.id}: ${r.reason ?? ''}`)
        assert.equal(r.trust, 'cooperative')
        assert.equal(r.reward, it.status === 'fail' ? 0 : 1, `${it.id} (${it.status}): ${JSON.stringify(r.tests).slice(0, 400)}`)
      }
    })
  }

  test('cp_stdio: reference solutions pass (a float row through its checker), a known wrong one fails', async () => {
    const items = cpStdio()
    const plain = items.filter(i => i.language === 'cpp' && i.input.tests.type === 'stdio' && i.input.tests.checker === undefined)[3]
    const java = items.filter(i => i.language === 'java' && i.input.tests.type === 'stdio' && i.input.tests.checker === undefined)[5]
    const float = items.find(i => i.language === 'cpp' && i.input.tests.type === 'stdio' && i.input.tests.checker?.type === 'builtin')
    const wrong = items.find(i => i.expect === 'fail')
    for (const it of [plain, java, float, wrong]) {
      assert.ok(it)
      if (it.language !== 'python' && skipUnless(it.language as 'cpp') !== false) continue
      const r = await v.verify(it.input)
      assert.equal(r.status, 'ok', `${it.id} ${it.language}: ${r.reason ?? ''}`)
      if (it.expect === 'pass') assert.equal(r.reward, 1, `${it.id} ${it.language}: ${JSON.stringify(r.tests.filter(t => t.verdict !== 'passed')).slice(0, 400)}`)
      else assert.ok((r.reward ?? 1) < 1, `${it.id}: the wrong solution passed`)
    }
  })
})

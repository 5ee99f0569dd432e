/**
 * Corpus tests ($EVAL_DIR, default ../shared/eval beside the repository): canonical solutions pass and
 * deliberately wrong ones fail, through the real sandboxes, with both cores loaded (all submitted at once).
 * No id or string of the corpora is special-cased: JavaScript/112 and /155 have wrong canonical solutions
 * and /162 needs an npm package, so 161/164 is the expected count.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createCodeVerifier } from '../../src/rewards/code/verifier.ts'
import { jailUnavailableReason } from '../../src/sandbox/bwrap.ts'
import type { CodeVerifier, CodeCheckResult } from '../../src/rewards/code/api.ts'
import { corpusAvailable, humaneval, humanevalJs, humanevalJsWrong, humanevalWrong, mbpp, type CorpusItem } from './corpus.ts'

const skip = !corpusAvailable() ? 'corpus not found (set EVAL_DIR)' : false
const pySkip = skip || (jailUnavailableReason() ?? false)

async function runAll (v: CodeVerifier, items: CorpusItem[]): Promise<Array<{ id: string, r: CodeCheckResult }>> {
  return await Promise.all(items.map(async it => ({ id: it.id, r: await v.verify(it.input) })))
}
const passed = (rs: Array<{ r: CodeCheckResult }>): number => rs.filter(x => x.r.status === 'ok' && x.r.reward === 1).length
const failedOk = (rs: Array<{ r: CodeCheckResult }>): number => rs.filter(x => x.r.status === 'ok' && x.r.reward === 0).length
const show = (rs: Array<{ id: string, r: CodeCheckResult }>, pred: (r: CodeCheckResult) => boolean): string =>
  rs.filter(x => pred(x.r)).slice(0, 5).map(x => `${x.id}: ${x.r.status} ${JSON.stringify(x.r.tests[0] ?? x.r.reason)}`).join('\n')

describe('code corpora', { skip }, () => {
  let v: CodeVerifier
  before(async () => { v = createCodeVerifier({ uidBase: 62100 }) })
  after(async () => { await v.close() })

  test('HumanEval: 164/164 canonical pass', { skip: pySkip }, async () => {
    const rs = await runAll(v, humaneval())
    assert.equal(rs.length, 164)
    assert.equal(passed(rs), 164, show(rs, r => r.reward !== 1))
  })
  test('HumanEval wrong: 164/164 fail (scored 0, not errors)', { skip: pySkip }, async () => {
    const rs = await runAll(v, humanevalWrong())
    assert.equal(rs.length, 164)
    assert.equal(failedOk(rs), 164, show(rs, r => r.reward !== 0))
  })
  test('MBPP: 427/427 canonical pass', { skip: pySkip }, async () => {
    const rs = await runAll(v, mbpp())
    assert.equal(rs.length, 427)
    assert.equal(passed(rs), 427, show(rs, r => r.reward !== 1))
  })
  test('HumanEval-X JavaScript: 161/164 canonical pass', async () => {
    const rs = await runAll(v, humanevalJs())
    assert.equal(rs.length, 164)
    assert.equal(passed(rs), 161, show(rs, r => r.reward !== 1))
    assert.equal(failedOk(rs), 3)
  })
  test('HumanEval-X JavaScript wrong: 164/164 fail', async () => {
    const rs = await runAll(v, humanevalJsWrong())
    assert.equal(rs.length, 164)
    assert.equal(failedOk(rs), 164, show(rs, r => r.reward !== 0))
  })
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { checkMathSync, extractAnswer } from '../../../src/rewards/math/index.ts'

const tags = { think: 'think', answer: 'answer' }
const ex = (text: string, list = false): string | null => extractAnswer(text, tags, list).answer

test('the <answer> body is the answer; think text never is', () => {
  assert.equal(ex('<think>maybe \\boxed{3}</think><answer>\n5\n</answer>'), '5')
  assert.equal(ex('<think>so \\boxed{3}</think> The answer is $4$.'), '4')
  assert.equal(ex('<think>unclosed thinking \\boxed{3}'), null)
  assert.equal(ex('<answer>The result is \\boxed{7}.</answer>'), '7')
  assert.equal(extractAnswer('<r>x</r><a>9</a>', { think: 'r', answer: 'a' }, false).answer, '9')
})

test('the last marker wins: \\boxed{} with nested braces, or "final answer is"', () => {
  assert.equal(ex('First \\boxed{1}, then \\boxed{\\frac{a}{b}}.'), '\\frac{a}{b}')
  assert.equal(ex('so \\boxed{2}. Final Answer: The final answer is $3$. I hope it is correct.'), '3')
  assert.equal(ex('The final answer is $3$. Check: \\fbox{4}'), '4')
  assert.equal(ex('The final answer is 12,000,023. I hope it is correct.'), '12,000,023')
})

test('a truncated \\boxed{ is not an answer', () => {
  assert.equal(ex('so the answer is \\boxed{\\frac{1}{2'), null)
})

test('several boxes at the end form a list when the gold is a list', () => {
  assert.equal(ex('roots \\boxed{1} and \\boxed{2}', true), '1 , 2')
  assert.equal(ex('roots \\boxed{1} and \\boxed{2}', false), '2')
  assert.equal(ex('either \\boxed{1} or \\boxed{2}', false), '1 , 2')
})

test('without markers, the final statement is read', () => {
  assert.equal(ex('We compute things. So the probability is 2/3.'), '2/3')
  assert.equal(ex('Thus $x \\geq 5$ is the solution.'), 'x \\geq 5')
  assert.equal(ex('There are 12 ways to do it.'), '12')
  assert.equal(ex('-5'), '-5')
  assert.equal(ex('The answer is $28$ %'), '28 %')
  assert.equal(ex('no numbers here at all, sorry about that'), null)
})

interface CompletionCase { gold: string, prediction: string, equivalent: boolean }
const completions = readFileSync(new URL('../../fixtures/math/completions.jsonl', import.meta.url), 'utf8')
  .trim().split('\n').map(l => JSON.parse(l) as CompletionCase)

for (const c of completions) {
  test(`completion ${JSON.stringify(c.prediction.slice(-60))} vs ${c.gold} → ${String(c.equivalent)}`, () => {
    const r = checkMathSync({ gold: c.gold, prediction: c.prediction, extract: true })
    assert.equal(r.status, 'ok', r.reason)
    assert.equal(r.equivalent, c.equivalent, `extracted ${String(r.prediction.extracted)}; rule ${String(r.rule)}`)
  })
}

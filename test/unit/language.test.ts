import { test } from 'node:test'
import assert from 'node:assert/strict'
import { languageReward, promptLanguage } from '../../src/rewards/language/index.ts'
import { words, sentences, stripNonLanguage } from '../../src/rewards/language/words.ts'
import { scriptOf } from '../../src/rewards/language/scripts.ts'

const score = (cot: string, target: string): number | null => languageReward([cot], target).score

test('words: the regex agrees with Intl.Segmenter on space-delimited scripts', () => {
  const samples = [
    "Let's compute it: we don't need 3 steps, x2 and naïve café résumé. Isn't it?",
    'Давайте решим задачу: сначала найдём x, затем проверим ответ.',
    'Wir berechnen die Lösung Schritt für Schritt, und prüfen dann das Ergebnis.',
    'Calculons la dérivée : c’est simple, n’est-ce pas ?'
  ]
  const seg = new Intl.Segmenter('en', { granularity: 'word' })
  for (const s of samples) {
    const expected = [...seg.segment(s)].filter(x => x.isWordLike === true && /\p{L}/u.test(x.segment)).map(x => x.segment)
    assert.deepEqual(words(sentences(s)).map(w => w.text), expected, s)
  }
})

test('words: Han and kana runs are split by the segmenter, numbers and math are not words', () => {
  const ws = words(sentences(stripNonLanguage('我们先计算 $x^2 + 1$ 的值，然后 123 检查。')))
  assert.ok(ws.length >= 4)
  assert.ok(ws.every(w => w.script === 'Han'))
  assert.ok(!ws.some(w => /\d/.test(w.text)))
  assert.equal(words(sentences(stripNonLanguage('\\frac{1}{2} + $y$ = 3'))).length, 0)
})

test('scripts decide across scripts', () => {
  assert.equal(scriptOf('hello'), 'Latin')
  assert.equal(scriptOf('привет'), 'Cyrillic')
  assert.equal(scriptOf('中文'), 'Han')
  assert.equal(scriptOf('한국어'), 'Hangul')
  assert.equal(score('我们先计算这个值，然后检查答案是否正确。', 'en'), 0)
  assert.equal(score('我们先计算这个值，然后检查答案是否正确。', 'zh'), 1)
  assert.equal(score('먼저 값을 계산한 다음 답을 확인합니다.', 'ko'), 1)
})

test('a mixed chain of thought scores the share of target words', () => {
  const en = 'First we compute the derivative of the function and then we set it equal to zero to find the critical points.'
  const zh = '然后我们检查这些点是否是最大值或者最小值。'
  const r = languageReward([`${en} ${zh}`], 'en')
  assert.equal(r.status, 'ok')
  const d = r.details as { words: number, target_words: number }
  assert.ok(r.score !== null && r.score > 0.5 && r.score < 1, String(r.score))
  assert.equal(d.target_words, 21)
})

test('within Latin script the detector judges sentences', () => {
  const en = 'We need to find the value of x such that the equation holds, so we divide both sides by two and simplify.'
  const en2 = 'Then we check that the result satisfies the original equation, which it does, and we are done with this part.'
  const fr = 'Ensuite nous vérifions que la solution trouvée satisfait bien l’équation de départ, ce qui est le cas.'
  const fr2 = 'Nous devons maintenant calculer la dérivée de cette fonction et chercher les points où elle s’annule.'
  assert.equal(score(en, 'en'), 1)
  assert.equal(score(fr, 'fr'), 1)
  assert.equal(score(fr, 'en'), 0)
  // alternating sentences: each chunk is mixed, so each sentence is judged on its own
  const alternating = score([en, fr, en2, fr2].join(' '), 'en')
  assert.ok(alternating !== null && alternating > 0.4 && alternating < 0.6, String(alternating))
  // an English paragraph then a French one: the French half is found
  const halves = score(`${en} ${en2} ${en}\n${fr} ${fr2} ${fr}`, 'en')
  assert.ok(halves !== null && halves > 0.4 && halves < 0.6, String(halves))
})

test('no chain of thought scores 0; an unknown target is unscorable', () => {
  assert.equal(languageReward([], 'en').score, 0)
  assert.equal(languageReward(['   '], 'en').score, 0)
  const r = languageReward(['some words'], 'xx')
  assert.equal(r.score, null)
  assert.equal(r.status, 'unscorable')
})

test('prompt language', () => {
  assert.equal(promptLanguage('Solve the equation 2x = 3 and give the answer as a fraction.'), 'en')
  assert.equal(promptLanguage('求解方程 2x = 3。'), 'zh')
  assert.equal(promptLanguage('Résolvez l’équation suivante et donnez la réponse sous forme de fraction.'), 'fr')
  assert.equal(promptLanguage('12 + 3 = ?'), null)
})

test('a group job: the template split, and the auto target read from the prompt', async () => {
  const { scoreLanguageJob } = await import('../../src/rewards/language/index.ts')
  const tags = { think: 'think', answer: 'answer' }
  const fr = '<think>Nous devons maintenant calculer la dérivée de cette fonction et chercher les points où elle s’annule.</think><answer>3</answer>'
  const en = '<think>We need to find the value of x such that the equation holds, so we divide both sides by two.</think><answer>3</answer>'
  const auto = scoreLanguageJob({ texts: [fr, en], tags, target: 'auto', prompt: 'Résolvez l’équation suivante et donnez la réponse sous forme de fraction.' })
  assert.deepEqual(auto.map(r => r.score), [1, 0])
  const none = scoreLanguageJob({ texts: [fr], tags, target: 'auto' })
  assert.equal(none[0]?.status, 'unscorable')
})

test('too little text to tell its language: unscorable, not 0', () => {
  const r = languageReward(['2x = 3, so x = 3/2'], 'en')
  assert.equal(r.status, 'unscorable')
  assert.equal(r.score, null)
  assert.equal(languageReward(['So x = 3. Then y = 2x.'], 'en').score, 1)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { checkMathSync } from '../../../src/rewards/math/index.ts'

const root = new URL('../../..', import.meta.url).pathname
const evalDir = resolve(root, process.env.EVAL_DIR ?? '../shared/eval')
const file = resolve(evalDir, 'math/cases.jsonl')

interface Row { gold: string, prediction: string, expected: boolean, category: string }

for (const rounding of ['off', 'gold_precision'] as const) {
  test(`agreement with the labelled corpus (EVAL_DIR/math/cases.jsonl), rounding ${rounding}`, { skip: existsSync(file) ? false : `corpus not found at ${file}; set EVAL_DIR` }, () => {
    const rows = readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l) as Row)
    const byCat = new Map<string, { n: number, ok: number }>()
    let agree = 0
    let falsePositives = 0
    for (const r of rows) {
      const res = checkMathSync({ gold: r.gold, prediction: r.prediction, extract: true, rounding })
      const got = res.status === 'ok' ? res.equivalent : null
      const c = byCat.get(r.category) ?? { n: 0, ok: 0 }
      c.n++
      if (got === r.expected) { agree++; c.ok++ } else if (got === true) falsePositives++
      byCat.set(r.category, c)
    }
    // categories of at least 10 rows (one row labelled under the other rounding convention moves a tiny one)
    const worst = [...byCat].filter(([, v]) => v.n >= 10).map(([k, v]) => [k, v.ok / v.n] as const).sort((a, b) => a[1] - b[1])[0]
    assert.ok(agree / rows.length >= 0.995, `agreement ${agree}/${rows.length}`)
    assert.ok(worst === undefined || worst[1] >= 0.95, `category ${String(worst?.[0])} at ${String(worst?.[1])}`)
    assert.equal(falsePositives, 0, `false positives ${falsePositives}`)
  })
}

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.ts'
import type { ScoreReply } from '../../src/scoring/schema.ts'

const fence = (lang: string, code: string): string => `<think>\nwrite it\n</think>\n<answer>\n\`\`\`${lang}\n${code}\n\`\`\`\n</answer>`

test('code references in /v1/score: code extracted from each completion and run in the sandboxes', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    payload: {
      groups: [
        {
          id: 'py',
          reference: { type: 'code', language: 'python', tests: { type: 'call', function: 'add', cases: [{ args: [1, 2], expected: 3 }, { args: [5, -5], expected: 0 }] } },
          completions: [
            fence('python', 'def add(a, b):\n    return a + b'),
            fence('python', 'def add(a, b):\n    return 3'),
            fence('python', 'class E:\n    def __eq__(self, o): return True\ndef add(a, b):\n    return E()'),
            'no code at all'
          ]
        },
        {
          id: 'js',
          reference: { type: 'code', language: 'javascript', tests: { type: 'script', script: 'console.assert(add(2, 2) === 4)' } },
          completions: [fence('js', 'function add(a, b) { return a + b }'), fence('js', 'function add(a, b) { return 5 }')]
        }
      ]
    }
  })
  assert.equal(res.statusCode, 200, res.body)
  const [py, js] = res.json<ScoreReply>().groups
  assert.deepEqual(py?.results.map(r => r.components.accuracy?.score), [1, 0.5, 0, 0])
  assert.deepEqual(py?.results.map(r => r.reward), [2, 1.5, 1, 0])
  assert.deepEqual(js?.results.map(r => r.components.accuracy?.score), [1, 0])
  const verify = await app.inject({
    method: 'POST',
    url: '/v1/verify/code',
    payload: { language: 'python', code: 'print(input()[::-1])', tests: { type: 'stdio', cases: [{ stdin: 'abc\n', stdout: 'cba\r\n\n' }] } }
  })
  assert.equal(verify.statusCode, 200, verify.body)
  assert.equal(verify.json<{ reward: number }>().reward, 1)
})

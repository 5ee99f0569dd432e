/**
 * Compiled languages through the app: /v1/score code references with cpp/c++ fences, the cooperative refusal
 * (400 naming the field) and its opt-in, /v1/verify/code with a checker (the README example), /readyz with
 * CODE_LANGUAGES, and a config naming an unknown language.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../../helper.ts'
import { loadConfig } from '../../../src/config/load.ts'
import { buildApp } from '../../../src/app.ts'
import { skipUnless } from './helper.ts'
import type { ScoreReply } from '../../../src/scoring/schema.ts'

const ENV = { CODE_NATIVE_UID_BASE: '66800', CODE_CHECKER_UID_BASE: '66850', CODE_UID_BASE: '66880', CODE_PYTHON_SLOTS: '1', CODE_NATIVE_SLOTS: '2' }
const fence = (lang: string, code: string): string => `<think>\nwrite it\n</think>\n<answer>\n\`\`\`${lang}\n${code}\n\`\`\`\n</answer>`
const MUL = '#include <iostream>\nint main () { long long a, b; std::cin >> a >> b; std::cout << a * b << "\\n"; }'

test('compiled languages through /v1/score, /v1/verify/code and /readyz', { skip: skipUnless('cpp') }, async (t) => {
  const app = await build(t, { ...ENV, CODE_LANGUAGES: 'cpp,cpp20,c' })
  const stdio = { type: 'stdio', cases: [{ stdin: '6 7', stdout: '42' }, { stdin: '-3 5', stdout: '-15' }] }
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    payload: {
      groups: [{
        id: 'cpp',
        reference: { type: 'code', language: 'cpp', tests: stdio },
        completions: [fence('cpp', MUL), fence('c++', MUL.replace('a * b', 'a + b')), fence('python', 'print(42)'), fence('c++', MUL)]
      }]
    }
  })
  assert.equal(res.statusCode, 200, res.body)
  const g = res.json<ScoreReply>().groups[0]
  assert.deepEqual(g?.results.map(r => r.components.accuracy?.score), [1, 0, 0, 1], JSON.stringify(g?.results.map(r => r.components.accuracy)).slice(0, 1500))

  // script tests in a compiled language: refused unless the reference allows a cooperative verdict
  const script = { type: 'code', language: 'cpp', tests: { type: 'script', script: '#include <cassert>\nint main () { assert(twice(4) == 8); }' } }
  const refused = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups: [{ id: 's', reference: script, completions: [fence('cpp', 'int twice (int x) { return 2 * x; }')] }] } })
  assert.equal(refused.statusCode, 400, refused.body)
  assert.equal(refused.json<{ code: string }>().code, 'RWD_ERR_REQUEST_INVALID')
  assert.match(refused.body, /allow_cooperative/)
  const allowed = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups: [{ id: 's', reference: { ...script, allow_cooperative: true }, completions: [fence('cpp', 'int twice (int x) { return 2 * x; }')] }] } })
  assert.equal(allowed.statusCode, 200, allowed.body)
  const a = allowed.json<ScoreReply>().groups[0]?.results[0]?.components.accuracy
  assert.equal(a?.score, 1)
  assert.equal((a?.details as { trust?: string } | undefined)?.trust, 'cooperative')

  // call tests: no cooperative opt-in needed (the value is compared outside the jail); a name the language
  // cannot hold (Type.method in Go or C) is a 400 naming the field
  const call = { type: 'code', language: 'cpp', tests: { type: 'call', function: 'twice', cases: [{ args: [4], expected: 8 }, { args: [-1], expected: -2 }] } }
  const called = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups: [{ id: 'c', reference: call, completions: [fence('cpp', 'int twice (int x) { return 2 * x; }'), fence('cpp', 'int twice (int x) { return x + 4; }')] }] } })
  assert.equal(called.statusCode, 200, called.body)
  const cr = called.json<ScoreReply>().groups[0]?.results.map(r => r.components.accuracy)
  assert.deepEqual(cr?.map(x => x?.score), [1, 0.5])
  assert.equal((cr?.[0]?.details as { trust?: string } | undefined)?.trust, undefined)
  for (const [language, fn] of [['cpp', 'a$b'], ['go', 'T.m'], ['c', 'T.twice'], ['c', 'a$b']]) {
    const bad = await app.inject({ method: 'POST', url: '/v1/verify/code', payload: { language, code: 'x', tests: { ...call.tests, function: fn } } })
    assert.equal(bad.statusCode, 400, bad.body)
    assert.equal(bad.json<{ field?: string }>().field, '/tests/function', bad.body)
  }
  const badScore = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups: [{ id: 'c', reference: { ...call, language: 'c', tests: { ...call.tests, function: 'T.twice' } }, completions: ['x'] }] } })
  assert.equal(badScore.statusCode, 400, badScore.body)
  assert.match(badScore.body, /reference\/tests\/function/)
  // C call tests (LeetCode-style C): scored like the others
  const cCalled = await app.inject({ method: 'POST', url: '/v1/score', payload: { groups: [{ id: 'c', reference: { ...call, language: 'c' }, completions: [fence('c', 'int twice (int x) { return 2 * x; }'), fence('c', 'int twice (int x) { return x + 4; }')] }] } })
  assert.equal(cCalled.statusCode, 200, cCalled.body)
  assert.deepEqual(cCalled.json<ScoreReply>().groups[0]?.results.map(r => r.components.accuracy?.score), [1, 0.5])
  const cVerify = await app.inject({ method: 'POST', url: '/v1/verify/code', payload: { language: 'c', code: 'int twice (int x) { return 2 * x; }', tests: call.tests } })
  assert.equal(cVerify.statusCode, 200, cVerify.body)
  assert.equal(cVerify.json<{ reward: number }>().reward, 1)

  // the README example: a float answer judged by the float checker
  const v = await app.inject({
    method: 'POST',
    url: '/v1/verify/code',
    payload: {
      language: 'cpp',
      code: '#include <cstdio>\nint main(){double r;scanf("%lf",&r);printf("%.9f\\n",3.14159265358979*r*r);}',
      tests: { type: 'stdio', cases: [{ stdin: '2', stdout: '12.566' }], checker: { type: 'builtin', name: 'float', abs_tol: 1e-3 } }
    }
  })
  assert.equal(v.statusCode, 200, v.body)
  assert.equal(v.json<{ reward: number }>().reward, 1)

  const off = await app.inject({ method: 'POST', url: '/v1/verify/code', payload: { language: 'go', code: 'package main\nfunc main(){}', tests: stdio } })
  assert.equal(off.json<{ status: string, reward: null }>().status, 'error')
  assert.equal(off.json<{ reward: null }>().reward, null)

  const ready = await app.inject('/readyz')
  const checks = ready.json<{ checks: Record<string, string> }>().checks
  assert.equal(checks.code_cpp, 'ok')
  assert.equal(checks.code_cpp20, 'ok')
  assert.equal(checks.code_c, 'ok')
  assert.equal(checks.code_go, undefined)
})

test('a checker of an unknown type, a bad language and a bad CODE_LANGUAGES are refused', async (t) => {
  const app = await build(t, ENV)
  const bad = await app.inject({ method: 'POST', url: '/v1/verify/code', payload: { language: 'cobol', code: 'x', tests: { type: 'stdio', cases: [{ stdin: '', stdout: '' }] } } })
  assert.equal(bad.statusCode, 400)
  const badChecker = await app.inject({ method: 'POST', url: '/v1/verify/code', payload: { language: 'cpp', code: 'x', tests: { type: 'stdio', cases: [{ stdin: '', stdout: '' }], checker: { type: 'program', language: 'ruby', code: 'x' } } } })
  assert.equal(badChecker.statusCode, 400)
  await assert.rejects(buildApp({ config: loadConfig({ MATH_THREADS: '1', CODE_LANGUAGES: 'cpp,cobol' }), logger: false }), /CODE_LANGUAGES/)
})

/**
 * Checkers: the builtin ones (pure, here) and testlib-protocol program checkers (cpp, python) compiled once
 * and run in their own jail as a checker uid; a checker failure (exit 3) is status error with reward null.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { builtinAccepts } from '../../../src/rewards/code/checkers.ts'
import { nativeVerifier, skipUnless } from './helper.ts'
import type { CodeVerifier } from '../../../src/rewards/code/api.ts'

describe('builtin checkers', () => {
  test('tokens ignores line breaks and spacing, never a prefix', () => {
    const c = { type: 'builtin' as const, name: 'tokens' as const }
    assert.equal(builtinAccepts(c, '1 2\n3\n', '1\n2 3'), true)
    assert.equal(builtinAccepts(c, '1 2', '1 2 3'), false)
    assert.equal(builtinAccepts(c, '1 2 3 4', '1 2 3'), false)
    assert.equal(builtinAccepts(c, '', ''), true)
  })
  test('float: absolute or relative tolerance, words exact, NaN never', () => {
    const abs = { type: 'builtin' as const, name: 'float' as const, abs_tol: 1e-3 }
    assert.equal(builtinAccepts(abs, '3.1412 ok', '3.1416 ok'), true)
    assert.equal(builtinAccepts(abs, '3.14 ok', '3.1416 ok'), false)
    assert.equal(builtinAccepts(abs, '3.1416 OK', '3.1416 ok'), false)
    assert.equal(builtinAccepts(abs, 'nan', 'nan'), true) // identical tokens
    assert.equal(builtinAccepts(abs, 'nan', '0.5'), false)
    const rel = { type: 'builtin' as const, name: 'float' as const, rel_tol: 1e-6 }
    assert.equal(builtinAccepts(rel, '1000000.5', '1000000'), true)
    assert.equal(builtinAccepts(rel, '0.0000015', '0.000001'), false)
    assert.equal(builtinAccepts({ type: 'builtin', name: 'float' }, '1e-7', '0'), true)
  })
  test('unordered_lines: same lines in any order, counts matter', () => {
    const c = { type: 'builtin' as const, name: 'unordered_lines' as const }
    assert.equal(builtinAccepts(c, 'b 2\na  1\n\n', 'a 1\nb 2'), true)
    assert.equal(builtinAccepts(c, 'a 1\na 1', 'a 1\nb 2'), false)
    assert.equal(builtinAccepts(c, 'a 1', 'a 1\na 1'), false)
  })
  test('yes_no: case-insensitive tokens', () => {
    const c = { type: 'builtin' as const, name: 'yes_no' as const }
    assert.equal(builtinAccepts(c, 'Yes\nNO', 'YES no'), true)
    assert.equal(builtinAccepts(c, 'yes', 'no'), false)
    assert.equal(builtinAccepts(c, 'yess', 'yes'), false)
  })
})

const SUM_ANY_ORDER = '#include <iostream>\nint main () { int n; std::cin >> n; for (int i = n; i >= 1; i--) std::cout << i << (i > 1 ? " " : "\\n"); }\n'
// testlib protocol: the output must hold each of 1..n exactly once, in any order.
const CPP_CHECKER = `#include <fstream>
#include <set>
int main (int argc, char **argv) {
  if (argc < 4) return 3;
  std::ifstream in(argv[1]), out(argv[2]);
  int n; if (!(in >> n)) return 3;
  std::set<int> seen; int x, k = 0;
  while (out >> x) { if (x < 1 || x > n || !seen.insert(x).second) return 1; k++; }
  return k == n ? 0 : 1;
}
`
const PY_CHECKER = `import sys
n = int(open(sys.argv[1]).read())
try:
    got = [int(t) for t in open(sys.argv[2]).read().split()]
except ValueError:
    sys.exit(2)
sys.exit(0 if sorted(got) == list(range(1, n + 1)) else 1)
`

describe('program checkers (testlib protocol)', { skip: skipUnless('cpp') }, () => {
  let v: CodeVerifier
  let cleanup: () => Promise<void>
  before(() => { ({ v, cleanup } = nativeVerifier(66300)) })
  after(async () => { await cleanup() })
  const cases = [{ stdin: '3', stdout: '1 2 3' }, { stdin: '1', stdout: '1' }]

  for (const [language, code] of [['cpp', CPP_CHECKER], ['python', PY_CHECKER]] as const) {
    test(`${language} checker accepts another right output and rejects a wrong one`, async () => {
      const checker = { type: 'program' as const, language, code }
      const good = await v.verify({ language: 'cpp', code: SUM_ANY_ORDER, tests: { type: 'stdio', cases, checker } })
      assert.equal(good.reward, 1, JSON.stringify(good))
      const bad = await v.verify({ language: 'cpp', code: SUM_ANY_ORDER.replace('i >= 1', 'i >= 2'), tests: { type: 'stdio', cases, checker } })
      assert.equal(bad.status, 'ok')
      assert.deepEqual(bad.tests.map(t => t.verdict), ['wrong_answer', 'wrong_answer'])
    })
  }

  test('a checker that fails (exit 3) or does not compile is status error, reward null', async () => {
    const fails = await v.verify({ language: 'cpp', code: SUM_ANY_ORDER, tests: { type: 'stdio', cases, checker: { type: 'program', language: 'python', code: 'import sys\nsys.exit(3)\n' } } })
    assert.equal(fails.status, 'error')
    assert.equal(fails.reward, null)
    const broken = await v.verify({ language: 'cpp', code: SUM_ANY_ORDER, tests: { type: 'stdio', cases, checker: { type: 'program', language: 'cpp', code: 'int main( {' } } })
    assert.equal(broken.status, 'error')
    assert.equal(broken.reward, null)
  })

  test('a checker runs as a uid the solution never had, and cannot see the solution', async () => {
    const spy = 'import os, sys\nsys.exit(0 if os.getuid() >= 66700 and not os.path.exists("/box") else 1)\n'
    const r = await v.verify({ language: 'cpp', code: SUM_ANY_ORDER, tests: { type: 'stdio', cases, checker: { type: 'program', language: 'python', code: spy } } })
    assert.equal(r.reward, 1, JSON.stringify(r))
  })

  test('builtin checker through the verifier', async () => {
    const r = await v.verify({ language: 'cpp', code: SUM_ANY_ORDER, tests: { type: 'stdio', cases: [{ stdin: '3', stdout: '3\n2\n1' }], checker: { type: 'builtin', name: 'tokens' } } })
    assert.equal(r.reward, 1)
  })
})

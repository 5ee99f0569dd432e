/**
 * Per-test verdicts of a compiled program, judged outside the jail: one C++ program that behaves as its
 * stdin says (so one compile covers every verdict), compile errors with a bounded message, limits a request
 * lowers, and the language self-tests of sandboxes/<language>/test.* through the real verifier.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { nativeVerifier, skipUnless } from './helper.ts'
import { toolchainMissing, type NativeLanguage } from '../../../src/sandbox/native/toolchains.ts'
import type { CodeVerifier } from '../../../src/rewards/code/api.ts'

const BEHAVE = `#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <string>
#include <iostream>
int main () {
  std::string cmd; long long a = 0, b = 0;
  std::cin >> cmd >> a >> b;
  if (cmd == "add") { std::cout << a + b << "\\n"; return 0; }
  if (cmd == "off") { std::cout << a + b + 1 << "\\n"; return 0; }
  if (cmd == "segv") { volatile int *p = nullptr; *p = 1; }
  if (cmd == "exit3") { std::cout << a + b << "\\n"; return 3; }
  if (cmd == "loop") { volatile unsigned long x = 0; for (;;) x++; }
  if (cmd == "sleep") { for (;;) pause(); }
  if (cmd == "mem") { std::vector<char*> v; for (;;) { char *p = (char*)malloc(1 << 20); memset(p, 1, 1 << 20); v.push_back(p); } }
  if (cmd == "flood") { for (;;) fputs("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\\n", stdout); }
  if (cmd == "deep") { std::vector<int> v(1); std::function<int(int)> f; }
  return 1;
}
`.replace('#include <iostream>', '#include <iostream>\n#include <functional>\n#include <unistd.h>')

describe('compiled programs: one verdict per test', { skip: skipUnless('cpp') }, () => {
  let v: CodeVerifier
  let cleanup: () => Promise<void>
  before(() => { ({ v, cleanup } = nativeVerifier(66100)) })
  after(async () => { await cleanup() })

  test('each behaviour gets its verdict, judged outside the jail', async () => {
    const cases = [
      { stdin: 'add 2 3', stdout: '5' },
      { stdin: 'off 2 3', stdout: '5' },
      { stdin: 'segv 0 0', stdout: '0' },
      { stdin: 'exit3 2 3', stdout: '5' },
      { stdin: 'loop 0 0', stdout: '0' },
      { stdin: 'sleep 0 0', stdout: '0' },
      { stdin: 'mem 0 0', stdout: '0' },
      { stdin: 'flood 0 0', stdout: 'y' },
      { stdin: 'add 40000000000 2', stdout: '40000000002\n\n' }
    ]
    const r = await v.verify({ language: 'cpp', code: BEHAVE, tests: { type: 'stdio', cases }, limits: { time_ms: 1000, memory_mb: 64, output_bytes: 4096 } })
    assert.equal(r.status, 'ok', r.reason)
    assert.deepEqual(r.tests.map(t => t.verdict), [
      'passed', 'wrong_answer', 'runtime_error', 'runtime_error', 'timeout', 'timeout', 'memory_limit', 'output_limit', 'passed'
    ], JSON.stringify(r.tests))
    assert.equal(r.passed, 2)
    assert.equal(r.reward, 2 / 9)
    assert.equal(r.trust, undefined)
    assert.ok(r.build !== undefined && r.build.compile_ms > 0)
    const loop = r.tests[4] as { time_ms?: number }
    assert.ok((loop.time_ms ?? 0) >= 1000, `CPU time of the loop: ${loop.time_ms}`)
  })

  test('all_or_nothing, and the second request finds the program in the build cache', async () => {
    const tests = { type: 'stdio' as const, cases: [{ stdin: 'add 1 1', stdout: '2' }, { stdin: 'off 1 1', stdout: '2' }] }
    const r = await v.verify({ language: 'cpp', code: BEHAVE, tests, scoring: 'all_or_nothing' })
    assert.equal(r.reward, 0)
    assert.equal(r.build?.cached, true)
  })

  test('a compile error is a verdict with the compiler message, cut to a bound', async () => {
    const bad = 'int main() { return undefined_name' + '+undefined_name'.repeat(5000) + '; }'
    const r = await v.verify({ language: 'cpp', code: bad, tests: { type: 'stdio', cases: [{ stdin: '', stdout: '' }, { stdin: '', stdout: '' }] } })
    assert.equal(r.status, 'ok')
    assert.equal(r.reward, 0)
    assert.deepEqual(r.tests.map(t => t.verdict), ['compile_error', 'compile_error'])
    const msg = String(r.tests[0]?.error ?? '')
    assert.match(msg, /undefined_name/)
    assert.ok(msg.length <= 2001, `message of ${msg.length} chars`)
    assert.doesNotMatch(msg, /\/build\/src/)
  })

  test('C++20 and C++17 are told apart (cpp20 compiles what cpp17 refuses)', async () => {
    const code = '#include <iostream>\n#include <concepts>\ntemplate <std::integral T> T twice (T x) { return 2 * x; }\nint main () { int x; std::cin >> x; std::cout << twice(x) << "\\n"; }\n'
    const tests = { type: 'stdio' as const, cases: [{ stdin: '21', stdout: '42' }] }
    const [r20, r17] = await Promise.all([v.verify({ language: 'cpp20', code, tests }), v.verify({ language: 'cpp17', code, tests })])
    assert.equal(r20.reward, 1, JSON.stringify(r20))
    assert.equal(r17.tests[0]?.verdict, 'compile_error')
  })

  test('script tests pass on exit 0 and say trust cooperative', async () => {
    const code = '#include <cassert>\nint add (int a, int b) { return a + b; }\n'
    const ok = await v.verify({ language: 'cpp', code, tests: { type: 'script', script: 'int main () { assert(add(2, 3) == 5); }' } })
    const bad = await v.verify({ language: 'cpp', code, tests: { type: 'script', script: 'int main () { assert(add(2, 3) == 6); }' } })
    assert.equal(ok.reward, 1)
    assert.equal(ok.trust, 'cooperative')
    assert.equal(bad.reward, 0)
    assert.equal(bad.tests[0]?.verdict, 'wrong_answer')
  })

  test('why script tests are only cooperative: a static constructor that exits 0 passes them', async () => {
    const hack = '#include <unistd.h>\nstatic int early = (_exit(0), 0);\nint add (int a, int b) { return 0; }\n'
    const r = await v.verify({ language: 'cpp', code: hack, tests: { type: 'script', script: '#include <cassert>\nint main () { assert(add(2, 3) == 5); }' } })
    assert.equal(r.reward, 1)
    assert.equal(r.trust, 'cooperative') // the reply says the verdict is forgeable; /v1/score refuses it by default
    const stdio = await v.verify({ language: 'cpp', code: hack.replace('int add', 'int main () { return 0; }\nint add'), tests: { type: 'stdio', cases: [{ stdin: '2 3', stdout: '5' }] } })
    assert.equal(stdio.reward, 0) // as a stdio program the same trick earns nothing
  })
})

describe('language self-tests (sandboxes/<language>/test.*) through the verifier', () => {
  const files: Record<string, [NativeLanguage, string]> = { cpp: ['cpp', 'test.cpp'], c: ['c', 'test.c'], java: ['java', 'test.java'], go: ['go', 'test.go'], rust: ['rust', 'test.rs'] }
  let h: ReturnType<typeof nativeVerifier> | undefined
  after(async () => { await h?.cleanup() })
  for (const [dir, [language, file]] of Object.entries(files)) {
    test(`${language} prints OK`, { skip: skipUnless(language) }, async () => {
      h ??= nativeVerifier(66150)
      const code = readFileSync(fileURLToPath(new URL(`../../../sandboxes/${dir}/${file}`, import.meta.url)), 'utf8')
      const r = await h.v.verify({ language, code, tests: { type: 'stdio', cases: [{ stdin: 'ping\n', stdout: 'OK\n' }, { stdin: 'pong\n', stdout: 'OK\n' }] } })
      assert.equal(r.status, 'ok', r.reason)
      assert.deepEqual(r.tests.map(t => t.verdict), ['passed', 'wrong_answer'], JSON.stringify(r.tests))
    })
  }

  test('a language that is not enabled answers status error, never 0', { skip: toolchainMissing('cpp') ?? false }, async () => {
    const { createCodeVerifier } = await import('../../../src/rewards/code/verifier.ts')
    const v = createCodeVerifier({ pythonSlots: 1, native: { slots: 1, uidBase: 66190, checkerUidBase: 66195, languages: ['cpp'] } })
    try {
      const r = await v.verify({ language: 'go', code: 'package main\nfunc main(){}', tests: { type: 'stdio', cases: [{ stdin: '', stdout: '' }] } })
      assert.equal(r.status, 'error')
      assert.equal(r.reward, null)
      assert.match(r.reason ?? '', /not enabled/)
      assert.deepEqual(v.languages?.(), { required: true, status: { cpp: 'ok' } })
    } finally {
      await v.close()
    }
  })
})

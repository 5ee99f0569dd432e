/**
 * Call tests in compiled languages (src/rewards/code/native-call.ts): the generated driver deduces the
 * function's types, the value it reports on fd 4 is compared outside the jail. Verdicts, the comparison rules
 * through real programs, and solutions that try to forge the driver's report (they share its process).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { nativeVerifier, skipUnless } from './helper.ts'
import { parseLossless } from '../../../src/rewards/code/lossless.ts'
import type { CallTests } from '../../../src/rewards/code/schema.ts'
import type { CodeCheckResult, CodeLanguage, CodeVerifier } from '../../../src/rewards/code/api.ts'

const calls = (json: string): CallTests => parseLossless(json) as CallTests
const verdicts = (r: CodeCheckResult): string[] => r.tests.map(t => t.verdict)

const FORGE_READ = `#include <unistd.h>
#include <string>
static std::string stdin_all () { std::string in; char b[4096]; ssize_t n; while ((n = read(0, b, sizeof b)) > 0) in.append(b, n); return in; }
`

describe('call tests in C++', { skip: skipUnless('cpp') }, () => {
  let v: CodeVerifier
  let cleanup: () => Promise<void>
  before(() => { ({ v, cleanup } = nativeVerifier(66600)) })
  after(async () => { await cleanup() })
  const run = async (code: string, tests: CallTests, language: CodeLanguage = 'cpp'): Promise<CodeCheckResult> => await v.verify({ language, code, tests })

  test('types come from the function: containers, floats, strings, maps, a member function; a wrong value fails', async () => {
    const code = `#include <bits/stdc++.h>
#define int long long
using namespace std;
vector<float> scale (const vector<float> &v, int k) { vector<float> r; for (float x : v) r.push_back(x * k); return r; }
int main () { return 1; }`
    const r = await run(code, calls('{"type":"call","function":"scale","cases":[' +
      '{"args":[[1.5,2.0],2],"expected":[3.0,4.0]},{"args":[[0.1],3],"expected":[0.3]},{"args":[[],3],"expected":[]},{"args":[[1.0],3],"expected":[4.0]}]}'))
    assert.equal(r.status, 'ok', r.reason)
    assert.deepEqual(verdicts(r), ['passed', 'passed', 'passed', 'wrong_answer'])
    assert.equal(r.reward, 0.75)
    const member = `#include <map>
#include <string>
#include <tuple>
class Solution { public: std::map<char, int> hist (std::string s) const { std::map<char, int> m; for (char c : s) m[c]++; return m; }
  std::tuple<long long, std::string, bool> big (long long x) { return {x, "\\"é\\n", x > 0}; } };`
    const h = await run(member, calls('{"type":"call","function":"Solution.hist","cases":[{"args":["abca"],"expected":{"a":2,"b":1,"c":1}},{"args":[""],"expected":{}},{"args":["ab"],"expected":{"a":1}}]}'))
    assert.deepEqual(verdicts(h), ['passed', 'passed', 'wrong_answer'])
    const b = await run(member, calls('{"type":"call","function":"Solution.big","cases":[{"args":[9223372036854775807],"expected":[9223372036854775807,"\\"é\\n",true]},{"args":[9223372036854775806],"expected":[9223372036854775807,"\\"é\\n",true]}]}'))
    assert.deepEqual(verdicts(b), ['passed', 'wrong_answer'], 'integers past 2^53 compare exactly')
  })

  test('NaN matches nothing; unordered compares a set as a multiset; float_tolerance', async () => {
    const code = `#include <cmath>
#include <unordered_set>
double root (double x) { return std::sqrt(x); }
std::unordered_set<int> uniq (std::vector<int> v) { return {v.begin(), v.end()}; }`
    const r = await run(code, calls('{"type":"call","function":"root","float_tolerance":0.01,"cases":[{"args":[-1],"expected":0.0},{"args":[2],"expected":1.41},{"args":[2],"expected":1.5}]}'))
    assert.deepEqual(verdicts(r), ['wrong_answer', 'passed', 'wrong_answer'])
    const u = await run(code.replace('#include <cmath>', '#include <cmath>\n#include <vector>'), calls('{"type":"call","function":"uniq","unordered":true,"cases":[{"args":[[3,1,3,2]],"expected":[1,2,3]},{"args":[[1]],"expected":[2]}]}'))
    assert.deepEqual(verdicts(u), ['passed', 'wrong_answer'])
  })

  test('a crash, an exception, an argument of the wrong type, a timeout: that case fails (0); a missing function does not compile', async () => {
    const code = `#include <stdexcept>
#include <string>
int f (int x) { if (x == 1) { volatile int *p = nullptr; return *p; } if (x == 2) throw std::runtime_error("no"); if (x == 3) for (;;) {} return x; }`
    const r = await v.verify({ language: 'cpp', code, tests: calls('{"type":"call","function":"f","cases":[{"args":[0],"expected":0},{"args":[1],"expected":1},{"args":[2],"expected":2},{"args":[3],"expected":3},{"args":["0"],"expected":0},{"args":[0, 1],"expected":0}]}'), limits: { time_ms: 500 } })
    assert.equal(r.status, 'ok', r.reason)
    assert.deepEqual(verdicts(r), ['passed', 'runtime_error', 'runtime_error', 'timeout', 'runtime_error', 'runtime_error'])
    assert.equal(r.reward, 1 / 6)
    const missing = await run('int g (int x) { return x; }', calls('{"type":"call","function":"f","cases":[{"args":[0],"expected":0}]}'))
    assert.equal(missing.status, 'ok')
    assert.equal(missing.reward, 0)
    assert.deepEqual(verdicts(missing), ['compile_error'])
  })

  test('a solution that forges the driver\'s report gets 0: it cannot know the expected value', async () => {
    const tests = calls('{"type":"call","function":"f","cases":[{"args":[3],"expected":7},{"args":[5],"expected":9}]}')
    // a static constructor reads the nonce, reports a guess and leaves before the driver runs
    const early = await run(FORGE_READ + `static int forge = [] { std::string in = stdin_all(); std::string f = in.substr(0, in.find('\\n')) + " 42\\n"; write(4, f.data(), f.size()); _exit(0); return 0; }();
int f (int x) { return x; }`, tests)
    assert.deepEqual(verdicts(early), ['wrong_answer', 'wrong_answer'])
    // it reports the right answer for the arguments it read: that is computing f, which is the point
    const computed = await run(FORGE_READ + `#include <cstdlib>
static int forge = [] { std::string in = stdin_all(); size_t nl = in.find('\\n'); int x = atoi(in.c_str() + nl + 2); std::string f = in.substr(0, nl) + " " + std::to_string(x + 4) + "\\n"; write(4, f.data(), f.size()); _exit(0); return 0; }();
int f (int x) { return x; }`, tests)
    assert.deepEqual(verdicts(computed), ['passed', 'passed'])
    // a frame of its own and then the driver's: two results, never a pass
    const doubled = await run(FORGE_READ + `static int forge = [] { std::string f = "0123456789abcdef0123456789abcdef 7\\n"; write(4, f.data(), f.size()); return 0; }();
int f (int x) { return x + 4; }`, tests)
    assert.deepEqual(verdicts(doubled), ['runtime_error', 'runtime_error'])
    // _exit(0) before the driver, a frame on stdout, the result fd closed
    for (const body of ['static int gone = [] { _exit(0); return 0; }();', 'static int shut = [] { close(4); return 0; }();', 'static int out = [] { write(1, "7\\n", 2); return 0; }();']) {
      const r = await run(FORGE_READ + body + '\nint f (int x) { return 0; }', tests)
      assert.equal(r.reward, 0, body)
    }
  })
})

describe('call tests in Java, Go and Rust', () => {
  let v: CodeVerifier
  let cleanup: () => Promise<void>
  before(() => { ({ v, cleanup } = nativeVerifier(66650)) })
  after(async () => { await cleanup() })
  const tests = calls('{"type":"call","function":"f","cases":[{"args":[[1,2,3],"ab"],"expected":{"ab":6}},{"args":[[],"x"],"expected":{"x":0}},{"args":[[1],"x"],"expected":{"x":2}},{"args":[[-1],"x"],"expected":{"x":-1}},{"args":[[1],3],"expected":{"3":1}}]}')
  // the same function in each language: a map {key: sum}; it panics on a negative sum; case 2 is wrong, case 4 mistyped
  const programs: Array<[CodeLanguage, string, string]> = [
    ['java', 'Solution.f', `import java.util.*;
class Solution { public Map<String, Long> f(List<Integer> xs, String k) { long s = 0; for (int x : xs) s += x; if (s < 0) throw new IllegalStateException("neg"); Map<String, Long> m = new HashMap<>(); m.put(k, s); return m; } }`],
    ['go', 'f', `package main
func f(xs []int, k string) map[string]int { s := 0; for _, x := range xs { s += x }; if s < 0 { panic("neg") }; return map[string]int{k: s} }
func main() {}`],
    ['rust', 'f', `use std::collections::HashMap;
fn f(xs: Vec<i64>, k: &str) -> HashMap<String, i64> { let s: i64 = xs.iter().sum(); if s < 0 { panic!("neg") } let mut m = HashMap::new(); m.insert(k.to_string(), s); m }
fn main() {}`]
  ]
  for (const [language, fn, code] of programs) {
    test(`${language}: pass, wrong answer, exception → runtime_error, mistyped argument → runtime_error`, { skip: skipUnless(language as 'java') }, async () => {
      const r = await v.verify({ language, code, tests: { ...tests, function: fn } })
      assert.equal(r.status, 'ok', r.reason)
      assert.deepEqual(verdicts(r), ['passed', 'passed', 'wrong_answer', 'runtime_error', 'runtime_error'], JSON.stringify(r.tests))
      assert.equal(r.trust, undefined)
    })
  }

  // code that runs before or inside the call writes a result of its own and leaves: it cannot know the expected value
  const forgers: Array<[CodeLanguage, string]> = [
    ['go', `package main
import "os"
func init() { f := os.NewFile(4, "r"); f.WriteString("0123456789abcdef0123456789abcdef 7\\n"); os.Exit(0) }
func f(x int) int { return x }`],
    ['rust', 'fn f(x: i64) -> i64 { use std::io::Write; use std::os::unix::io::FromRawFd; let mut o = unsafe { std::fs::File::from_raw_fd(4) }; let _ = o.write_all(b"7\\n"); std::process::exit(0) }'],
    ['java', `class Solution { static { try { java.lang.reflect.Constructor<java.io.FileDescriptor> c = java.io.FileDescriptor.class.getDeclaredConstructor(int.class); c.setAccessible(true); new java.io.FileOutputStream(c.newInstance(4)).write("x 7\\n".getBytes()); } catch (Exception e) { throw new RuntimeException(e); } Runtime.getRuntime().halt(0); }
  public int f(int x) { return x; } }`]
  ]
  for (const [language, code] of forgers) {
    test(`${language}: a solution that writes its own result gets 0`, { skip: skipUnless(language as 'java') }, async () => {
      const r = await v.verify({ language, code, tests: calls(`{"type":"call","function":"${language === 'java' ? 'Solution.f' : 'f'}","cases":[{"args":[3],"expected":7},{"args":[5],"expected":9}]}`) })
      assert.equal(r.status, 'ok', r.reason)
      assert.equal(r.reward, 0, JSON.stringify(r.tests))
    })
  }
})

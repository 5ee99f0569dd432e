/**
 * HumanEval-X asserts as call tests (src/rewards/code/humaneval-x.ts): the literal forms of each language,
 * numbers kept as written, tolerances carried over, anything else left unconverted (null); and a sample of the
 * converted corpus run through the real verifier: canonical programs pass, near-miss wrong ones fail.
 * The full numbers: `node --import tsx bench/native-call.ts` (src/sandbox/native/README.md).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { humanevalXCallTests } from '../../../src/rewards/code/humaneval-x.ts'
import { numberText } from '../../../src/rewards/code/lossless.ts'
import { nativeVerifier, skipUnless } from './helper.ts'
import { humanevalXCall, nativeCorpusAvailable, type HeLanguage } from './corpus.ts'
import type { CodeVerifier } from '../../../src/rewards/code/api.ts'

describe('HumanEval-X asserts → call tests', () => {
  test('C++: ==, issame, bare and negated calls, abs(...) < tol, a local literal, constant arithmetic', () => {
    const c = humanevalXCallTests('cpp', `#undef NDEBUG
#include<assert.h>
bool issame(vector<float> a,vector<float>b){ for (int i=0;i<a.size();i++) if (abs(a[i]-b[i])>1e-4) return false; return true; }
int main(){
    vector<float> a={1.0, 2.0};
    assert (f(a, 0.3)==true);
    assert (issame(f({1, 2}, 3) , {3, 6}));
    assert (!f({}, 5 * 17));
    assert (f({"x\\n"}, 'c') && "failure 1");
    assert (abs(f({}, 1) - 0.33) < 1e-4);
}`, 'bool f(vector<float> numbers, float threshold){\n').tests
    assert.ok(c)
    assert.equal(c.function, 'f')
    assert.equal(c.float_tolerance, 1e-4)
    assert.deepEqual(c.cases.map(x => [x.args, x.expected]), [[[[1, 2], 0.3], true], [[[1, 2], 3], [3, 6]], [[[], 85], false], [[['x\n'], 'c'], true], [[[], 1], 0.33]])
    assert.equal(numberText(c.cases[0]?.args[0], 0), '1.0', 'numbers keep their spelling')
    assert.equal(numberText(c.cases[1]?.expected, 0), '3.0', 'a tolerant comparison makes the expected numbers floats')
  })

  test('Java, Go and Rust literal forms', () => {
    const j = humanevalXCallTests('java', `public class Main { public static void main(String[] args) { Solution s = new Solution();
      List<Boolean> correct = Arrays.asList(s.g(new ArrayList<>(Arrays.asList(1, 2)), "a").equals(Arrays.asList(2L)), !s.g(new ArrayList<>(List.of()), "b").isEmpty() == false, s.g(List.of(), "c").isEmpty());
      if (correct.contains(false)) { throw new AssertionError(); } } }`, 'public List<Long> g(List<Integer> xs, String k) {')
    assert.equal(j.tests, null, 'a negated comparison is not a literal call form')
    const j2 = humanevalXCallTests('java', `public class Main { public static void main(String[] args) { Solution s = new Solution();
      List<Boolean> correct = Arrays.asList(s.g(new ArrayList<>(Arrays.asList(1, 2)), "a").equals(Arrays.asList(2L)), s.g(List.of(), "c").isEmpty(), Objects.equals(s.g(List.of(), "d").get(), 5));
      if (correct.contains(false)) { throw new AssertionError(); } } }`, 'public Optional<Long> g(List<Integer> xs, String k) {')
    assert.deepEqual(j2.tests?.cases.map(x => x.expected), [[2], null, 5])
    assert.equal(j2.tests?.function, 'Solution.g')
    const g = humanevalXCallTests('go', `func TestG(t *testing.T) {
    assert := assert.New(t)
    assert.Equal([]int{1, 2}, G([]string{"a"}, map[rune]int{'a': 1}))
    assert.Equal(true, math.Abs(G(nil, nil)-0.5) < 1e-6)
    assert.Equal(false, G([][]int{{1}, {2}}, 'b'))
}`, 'func G(a []string, m map[rune]int) []int {')
    assert.deepEqual(g.tests?.cases.map(x => [x.args, x.expected]), [[[['a'], { 97: 1 }], [1, 2]], [[null, null], 0.5], [[[[1], [2]], 98], false]])
    const r = humanevalXCallTests('rust', `#[cfg(test)]
mod tests { use super::*;
    #[test]
    fn test_h() {
        assert_eq!(h(vec![1, 2], &3.5, String::from("x")), vec!["a".to_string()]);
        assert!(h(vec![], &1.0, "y".to_string()) == Some((1, 'c')));
        assert!(!h(vec![-1], &0.0, "".into()));
        let x = vec![5];
        assert_eq!(h(x, &1.0, "".into()), None);
    } }`, 'fn h(v: Vec<i32>, x: &f32, s: String) -> Vec<String>{')
    assert.deepEqual(r.tests?.cases.map(x => [x.args, x.expected]), [[[[1, 2], 3.5, 'x'], ['a']], [[[], 1, 'y'], [1, 'c']], [[[-1], 0, ''], false], [[[5], 1, ''], null]])
  })

  test('loops, random inputs, another function or a computed expectation: null (keep the cooperative script test)', () => {
    for (const [lang, test] of [
      ['cpp', 'int main(){ for (int i=0;i<3;i++) assert (f(i) == i); }'],
      ['cpp', 'int main(){ int x=rand()%10; assert (f(x) == x); }'],
      ['cpp', 'int main(){ assert (g(1) == 1); }'],
      ['cpp', 'int main(){ assert (f(1) == f(2)); }'],
      ['rust', '#[test] fn t() { let mut v = vec![]; v.push(1); assert_eq!(f(v), 1); }']
    ] as Array<[HeLanguage, string]>) {
      assert.equal(humanevalXCallTests(lang, test, 'int f(int x){').tests, null, test)
    }
  })
})

const skip = nativeCorpusAvailable() ? false : 'no ../shared/eval/code corpus'

describe('HumanEval-X as call tests through the verifier (sample)', { skip }, () => {
  let v: CodeVerifier
  let cleanup: () => Promise<void>
  before(() => { ({ v, cleanup } = nativeVerifier(66950)) })
  after(async () => { await cleanup() })

  for (const language of ['cpp', 'java', 'go', 'rust'] as HeLanguage[]) {
    test(`${language}: most tasks convert; sampled canonical programs pass and wrong ones fail`, { skip: skipUnless(language) }, async () => {
      const { tasks, canonical, wrong } = humanevalXCall(language)
      assert.equal(tasks, 164)
      assert.ok(canonical.length >= 130, `${canonical.length} of 164 convert`)
      // every 40th converted task (by position), its canonical program and its wrong one
      const ids = new Set(canonical.filter((c, i) => i % 40 === 5 && c.status.startsWith('pass')).map(c => c.id))
      const items = [...canonical, ...wrong].filter(i => ids.has(i.id))
      const rs = await Promise.all(items.map(async it => ({ it, r: await v.verify(it.input) })))
      for (const { it, r } of rs) {
        assert.equal(r.status, 'ok', `${it.id}: ${r.reason ?? ''}`)
        assert.equal(r.trust, undefined)
        if (it.status === 'fail') assert.ok((r.reward ?? 1) < 1, `${it.id}: the wrong program passed`)
        else assert.equal(r.reward, 1, `${it.id}: ${JSON.stringify(r.tests.filter(t => t.verdict !== 'passed')).slice(0, 400)}`)
      }
    })
  }
})

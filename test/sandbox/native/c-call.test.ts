/**
 * C call tests (src/rewards/code/c-call.ts): the prototype from gcc's -aux-info in a jail, LeetCode-style C's
 * list conventions, the generated driver, and solutions that try to forge its report (they share its process).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { nativeVerifier, skipUnless } from './helper.ts'
import { parseLossless } from '../../../src/rewards/code/lossless.ts'
import { cEpilogue, cPrototype } from '../../../src/rewards/code/c-call.ts'
import type { CallTests } from '../../../src/rewards/code/schema.ts'
import type { CodeCheckResult, CodeVerifier } from '../../../src/rewards/code/api.ts'

const calls = (json: string): CallTests => parseLossless(json) as CallTests
const verdicts = (r: CodeCheckResult): string[] => r.tests.map(t => t.verdict)

test('the prototype: parameters grouped by LeetCode convention; what fits no rule is named', () => {
  const aux = `/* compiled from: . */
/* /usr/include/stdlib.h:10:NC */ extern int abs (int);
/* solution.c:1:NF */ extern int *twoSum (int *nums, int numsSize, int target, int *returnSize); /* (nums, numsSize, target, returnSize) */
/* solution.c:2:NF */ static char ***group (char **strs, int strsSize, int *returnSize, int **returnColumnSizes); /* () */
/* solution.c:3:NF */ extern int cmp (int (*f) (int), struct P *p); /* () */
/* solution.c:4:NF */ extern int *noSize (int *a, int n); /* () */
/* solution.c:5:NF */ extern int lonely (int *a); /* () */
/* solution.c:6:NF */ extern void *raw (void); /* () */`
  const two = cPrototype(aux, 'twoSum')
  assert.ok(!('problem' in two))
  assert.deepEqual(two.params.map(p => [p.name, p.base, p.stars]), [['nums', 'int', 1], ['numsSize', 'int', 0], ['target', 'int', 0], ['returnSize', 'int', 1]])
  const e = cEpilogue(two, 'twoSum')
  assert.ok('source' in e)
  assert.match(e.source, /rv_read_\(2\)/, 'two logical arguments: the list and target')
  const g = cPrototype(aux, 'group')
  assert.ok(!('problem' in g) && 'source' in cEpilogue(g, 'group'))
  assert.match((cPrototype(aux, 'cmp') as { problem: string }).problem, /parameter 1 of 'cmp' \(int \(\*f\) \(int\)\).*function pointers/)
  assert.match((cPrototype(aux, 'abs') as { problem: string }).problem, /defines no function 'abs'/, 'a declaration is not a definition')
  assert.match((cEpilogue(cPrototype(aux, 'noSize') as never, 'noSize') as { problem: string }).problem, /int \*returnSize/)
  assert.match((cEpilogue(cPrototype(aux, 'lonely') as never, 'lonely') as { problem: string }).problem, /parameter 'a' \(int \*\) is a list: it must be followed by its length/)
  assert.match((cPrototype(aux, 'raw') as { problem: string }).problem, /void pointers/)
})

describe('call tests in C', { skip: skipUnless('c') }, () => {
  let v: CodeVerifier
  let cleanup: () => Promise<void>
  before(() => { ({ v, cleanup } = nativeVerifier(66700)) })
  after(async () => { await cleanup() })
  const run = async (code: string, tests: CallTests, limits?: { time_ms: number }): Promise<CodeCheckResult> => await v.verify({ language: 'c', code, tests, ...(limits !== undefined && { limits }) })

  test('lists in and out (returnSize), lists of lists, strings, bool, char, typedefs, its own main; a wrong value fails', async () => {
    const code = `typedef long long ll;
typedef int myint;
int* twoSum(int* nums, int numsSize, int target, int* returnSize) {
  int *r = malloc(2 * sizeof(int)); *returnSize = 2;
  for (int i = 0; i < numsSize; i++) for (int j = i + 1; j < numsSize; j++) if (nums[i] + nums[j] == target) { r[0] = i; r[1] = j; return r; }
  *returnSize = 0; return r;
}
int** transpose(int** m, int mSize, int* mColSize, int* returnSize, int** returnColumnSizes) {
  int c = mSize ? mColSize[0] : 0; int **r = malloc(sizeof(int*) * (c + 1)); *returnColumnSizes = malloc(sizeof(int) * (c + 1));
  for (int j = 0; j < c; j++) { r[j] = malloc(sizeof(int) * (mSize + 1)); (*returnColumnSizes)[j] = mSize; for (int i = 0; i < mSize; i++) r[j][i] = m[i][j]; }
  *returnSize = c; return r;
}
char* shout(const char* s, char end, bool twice) { size_t n = strlen(s); char *r = malloc(2 * n + 3); strcpy(r, s); if (twice) strcat(r, s); size_t k = strlen(r); r[k] = end; r[k + 1] = 0; return r; }
char** words(char* s, int* returnSize) { char **r = malloc(sizeof(char*) * 64); int n = 0; for (char *t = strtok(s, " "); t; t = strtok(NULL, " ")) r[n++] = t; *returnSize = n; return r; }
ll big(myint x, unsigned char u, double d) { return (ll)x * 1000000000000LL + u + (ll)d; }
char first(char** strs, int strsSize) { return strsSize ? strs[0][0] : '?'; }
float half(float x) { return x / 2; }
int main(void) { return 1; }`
    const cases: Array<[string, string, string[]]> = [
      ['twoSum', '[{"args":[[2,7,11,15],9],"expected":[0,1]},{"args":[[3,3],6],"expected":[0,1]},{"args":[[1],5],"expected":[]},{"args":[[1,2],3],"expected":[1,0]}]', ['passed', 'passed', 'passed', 'wrong_answer']],
      ['transpose', '[{"args":[[[1,2,3],[4,5,6]]],"expected":[[1,4],[2,5],[3,6]]},{"args":[[]],"expected":[]},{"args":[[[1]]],"expected":[[2]]}]', ['passed', 'passed', 'wrong_answer']],
      ['shout', '[{"args":["hé\\"\\n","!",true],"expected":"hé\\"\\nhé\\"\\n!"},{"args":["a","?",false],"expected":"a?"},{"args":["a","??",false],"expected":"a?"}]', ['passed', 'passed', 'runtime_error']],
      ['words', '[{"args":["to be  or"],"expected":["to","be","or"]},{"args":[""],"expected":[]}]', ['passed', 'passed']],
      ['big', '[{"args":[9000,255,1.9],"expected":9000000000000256},{"args":[-1,0,0],"expected":-1000000000000},{"args":[1,256,0],"expected":0},{"args":[2147483648,0,0],"expected":0},{"args":[1.5,0,0],"expected":0}]', ['passed', 'passed', 'runtime_error', 'runtime_error', 'runtime_error']],
      ['first', '[{"args":[["xy","z"]],"expected":"x"},{"args":[[]],"expected":"?"},{"args":[[1]],"expected":"?"}]', ['passed', 'passed', 'runtime_error']],
      ['half', '[{"args":[0.3],"expected":0.15},{"args":[3],"expected":1.5},{"args":[1],"expected":1}]', ['passed', 'passed', 'wrong_answer']]
    ]
    for (const [fn, cs, want] of cases) {
      const r = await run(code, calls(`{"type":"call","function":"${fn}","cases":${cs}}`))
      assert.equal(r.status, 'ok', r.reason)
      assert.deepEqual(verdicts(r), want, `${fn}: ${JSON.stringify(r.tests)}`)
    }
  })

  test('a solution\'s own read, write and y1 do not clash with the driver', async () => {
    const code = `int y1;
int read(void) { return 5; }
void write(int x) { y1 = x; }
int f(int x) { write(x); return read() + y1; }`
    const r = await run(code, calls('{"type":"call","function":"f","cases":[{"args":[2],"expected":7},{"args":[0],"expected":6}]}'))
    assert.deepEqual(verdicts(r), ['passed', 'wrong_answer'], JSON.stringify(r.tests))
  })

  test('integers past 2^53 compare exactly; macros (#define int long long) reach the types the driver uses', async () => {
    const code = `#define int long long
#define REP(i, n) for (int i = 0; i < (n); i++)
int sum(int *xs, int n) { int s = 0; REP(i, n) s += xs[i]; return s; }
unsigned long long umax(void) { return ~0ULL; }`
    const r = await run(code, calls('{"type":"call","function":"sum","cases":[{"args":[[9223372036854775806,1]],"expected":9223372036854775807},{"args":[[9223372036854775806,0]],"expected":9223372036854775807},{"args":[[4294967296,1]],"expected":4294967297}]}'))
    assert.deepEqual(verdicts(r), ['passed', 'wrong_answer', 'passed'], JSON.stringify(r.tests))
    const u = await run(code, calls('{"type":"call","function":"umax","cases":[{"args":[],"expected":18446744073709551615},{"args":[1],"expected":18446744073709551615}]}'))
    assert.deepEqual(verdicts(u), ['passed', 'runtime_error'], 'another arity is a runtime error')
  })

  test('a crash, a timeout: that case fails; unsupported signatures are a compile_error naming the parameter', async () => {
    const r = await run('int f(int x) { if (x == 1) { volatile int *p = 0; return *p; } if (x == 2) for (;;) {} return x; }',
      calls('{"type":"call","function":"f","cases":[{"args":[0],"expected":0},{"args":[1],"expected":1},{"args":[2],"expected":2}]}'), { time_ms: 500 })
    assert.deepEqual(verdicts(r), ['passed', 'runtime_error', 'timeout'])
    const one = calls('{"type":"call","function":"f","cases":[{"args":[1],"expected":1}]}')
    const unsupported: Array<[string, RegExp]> = [
      ['struct P { int x; }; int f(struct P p) { return p.x; }', /parameter 1 of 'f' \(struct P p\) is not supported: structs/],
      ['typedef struct { int x; } P; int f(P p) { return p.x; }', /parameter p has the unsupported type P/],
      ['int f(void *p) { return 0; }', /void pointers/],
      ['int *f(int x) { return 0; }', /int \*returnSize/],
      ['int g(int x) { return x; }', /defines no function 'f'/],
      ['int f(int x) { return x }', /solution\.c:1:24: error: expected .;./]
    ]
    for (const [code, why] of unsupported) {
      const c = await run(code, one)
      assert.equal(c.status, 'ok', c.reason)
      assert.equal(c.reward, 0)
      assert.deepEqual(verdicts(c), ['compile_error'])
      const error = String(c.tests[0]?.error ?? '')
      assert.match(error, why, error)
    }
  })

  test('a solution that forges the driver\'s report gets 0: it cannot know the expected value', async () => {
    const tests = calls('{"type":"call","function":"f","cases":[{"args":[3],"expected":7},{"args":[5],"expected":9}]}')
    const READ = '#include <unistd.h>\nstatic char in[4096]; static int nonce(void) { int n = read(0, in, sizeof in - 1); char *nl = n > 0 ? memchr(in, \'\\n\', n) : 0; return nl ? (int)(nl - in) : 0; }\n'
    // a constructor reads the nonce, reports a guess and leaves before the driver runs
    const early = await run(READ + '__attribute__((constructor)) static void forge(void) { int k = nonce(); char f[128]; int m = snprintf(f, sizeof f, "%.*s 42\\n", k, in); write(4, f, m); _exit(0); }\nint f(int x) { return x; }', tests)
    assert.deepEqual(verdicts(early), ['wrong_answer', 'wrong_answer'])
    // it reports the right answer for the arguments it read: that is computing f, which is the point
    const computed = await run(READ + '__attribute__((constructor)) static void forge(void) { int k = nonce(); int x = atoi(in + k + 2); char f[128]; int m = snprintf(f, sizeof f, "%.*s %d\\n", k, in, x + 4); write(4, f, m); _exit(0); }\nint f(int x) { return x; }', tests)
    assert.deepEqual(verdicts(computed), ['passed', 'passed'])
    // a frame with another nonce, then the driver's: two results, never a pass; a frame with a wrong nonce alone
    const doubled = await run('#include <unistd.h>\n__attribute__((constructor)) static void forge(void) { write(4, "0123456789abcdef0123456789abcdef 7\\n", 35); }\nint f(int x) { return x + 4; }', tests)
    assert.deepEqual(verdicts(doubled), ['runtime_error', 'runtime_error'])
    const wrongNonce = await run('#include <unistd.h>\n__attribute__((constructor)) static void forge(void) { write(4, "0123456789abcdef0123456789abcdef 7\\n", 35); _exit(0); }\nint f(int x) { return x + 4; }', tests)
    assert.deepEqual(verdicts(wrongNonce), ['runtime_error', 'runtime_error'])
    // _exit(0) before the driver, the result fd closed, a result on stdout
    for (const body of ['_exit(0);', 'close(4);', 'write(1, "7\\n", 2);']) {
      const r = await run(`#include <unistd.h>\n__attribute__((constructor)) static void forge(void) { ${body} }\nint f(int x) { return 0; }`, tests)
      assert.equal(r.status, 'ok', r.reason)
      assert.equal(r.reward, 0, body)
    }
  })
})

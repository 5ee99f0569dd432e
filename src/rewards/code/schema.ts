/**
 * Request-side TypeBox schemas of the code reward: the three test forms, limits, and the `code` reference
 * of /v1/score. Validation, TypeScript types and OpenAPI come from these.
 */
import { Type, type Static } from 'typebox'

const MAX_CASES = 1000

export const CodeLanguageSchema = Type.Union([
  Type.Literal('python'), Type.Literal('javascript'),
  Type.Literal('cpp'), Type.Literal('cpp17'), Type.Literal('cpp20'), Type.Literal('c'),
  Type.Literal('java'), Type.Literal('go'), Type.Literal('rust')
], {
  description: 'Language of the solution. cpp = cpp17 (g++ -std=c++17 -O2), cpp20 (-std=c++20), c (gcc -std=gnu17 -O2), java (OpenJDK 17), go (Go 1.19), rust (rustc 1.63, edition 2021): compiled once per distinct program, in a jail.'
})

export const CheckerSchema = Type.Union([
  Type.Object({
    type: Type.Literal('builtin'),
    name: Type.Union([Type.Literal('tokens'), Type.Literal('float'), Type.Literal('unordered_lines'), Type.Literal('yes_no')], {
      description: 'tokens: whitespace-separated tokens equal (line breaks ignored); float: tokens, numeric ones within abs_tol or rel_tol; unordered_lines: the same lines in any order; yes_no: tokens equal ignoring case.'
    }),
    abs_tol: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: 'float: |a-b| <= abs_tol passes (default 1e-6 when neither tolerance is given).' })),
    rel_tol: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'float: |a-b| <= rel_tol * |b| passes.' }))
  }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('program'),
    language: Type.Union([Type.Literal('cpp'), Type.Literal('python')]),
    code: Type.String({ minLength: 1, maxLength: 1 << 18, description: 'testlib protocol: run as `checker input output answer`; exit 0 accepted, 1 wrong answer, 2 presentation error (wrong answer), 3 checker failure (status error, reward null). Compiled once, run in its own jail as a uid no solution has.' })
  }, { additionalProperties: false })
], { description: 'How stdout is judged when more than one output is right (compiled languages; default: the stdio comparison rule).' })

const FloatTolerance = Type.Optional(Type.Number({
  minimum: 0,
  maximum: 1,
  description: 'Expected numbers written with a decimal point or exponent are floats and match when |a-b| <= tol * max(1, |b|) (default 1e-6); other expected numbers are integers and match exactly (a returned float only when finite and exactly integral). NaN and infinities never match.'
}))

export const CallTestsSchema = Type.Object({
  type: Type.Literal('call'),
  function: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)?$', description: 'Function to call; "Class.method" instantiates Class() first (Java: a bare name means Solution.method; Rust: "Type.method" is the associated function Type::method; Go and C: a plain name only). Compiled languages take the parameter and return types from the function itself; C follows LeetCode-style C: `int *xs, int xsSize` is one list argument, a returned `T *` is sized by a last `int *returnSize` (src/sandbox/native/README.md).' }),
  cases: Type.Array(Type.Object({
    args: Type.Array(Type.Unknown(), { description: 'Positional arguments, plain JSON.' }),
    expected: Type.Unknown({ description: 'Expected return value, plain JSON; compared outside the sandbox.' })
  }, { additionalProperties: false }), { minItems: 1, maxItems: MAX_CASES }),
  float_tolerance: FloatTolerance,
  unordered: Type.Optional(Type.Boolean({ description: 'When true, a returned list, tuple or set (and any nested set) matches an expected list in any order, as a multiset. Default false: containers compare by type and order, and a set matches nothing.' }))
}, { additionalProperties: false, description: 'Call the function with each case\'s arguments; the return value is serialised in the sandbox and compared outside it (expected values never enter the sandbox). Compiled languages (cpp, java, go, rust; not c): a generated driver, one jailed process per case.' })

export const StdioTestsSchema = Type.Object({
  type: Type.Literal('stdio'),
  cases: Type.Array(Type.Object({
    stdin: Type.String(),
    stdout: Type.String()
  }, { additionalProperties: false }), { minItems: 1, maxItems: MAX_CASES }),
  float_tolerance: FloatTolerance,
  checker: Type.Optional(CheckerSchema)
}, { additionalProperties: false, description: 'Run the program per case with stdin; normalised comparison of stdout (CRLF, trailing whitespace, trailing blank lines, same line count, numeric tokens with tolerance).' })

export const ScriptTestsSchema = Type.Object({
  type: Type.Literal('script'),
  script: Type.String({ minLength: 1, description: 'Test code run after the solution (HumanEval/MBPP `check(candidate)`, HumanEval-X `console.assert`, MultiPL-E `require(\'node:assert\')`). It passes when it runs to the end.' })
}, { additionalProperties: false })

export const CodeTestsSchema = Type.Union([CallTestsSchema, StdioTestsSchema, ScriptTestsSchema])

export const CodeLimitsSchema = Type.Object({
  time_ms: Type.Optional(Type.Integer({ minimum: 1, description: 'CPU time per test (per case; whole script for script tests). Lowered to the server cap.' })),
  memory_mb: Type.Optional(Type.Integer({ minimum: 1, description: 'Memory per process (Python address space, JavaScript heap). Lowered to the server cap.' })),
  output_bytes: Type.Optional(Type.Integer({ minimum: 1, description: 'stdout+stderr per process. Lowered to the server cap.' }))
}, { additionalProperties: false, description: 'A request may lower the server caps, never raise them.' })

export const CodeScoringSchema = Type.Union([Type.Literal('fraction'), Type.Literal('all_or_nothing')], {
  description: 'reward = fraction of tests passed (default) or 1 only when all pass.'
})

export const CodeReferenceSchema = Type.Object({
  type: Type.Literal('code'),
  language: CodeLanguageSchema,
  tests: CodeTestsSchema,
  limits: Type.Optional(CodeLimitsSchema),
  scoring: Type.Optional(CodeScoringSchema),
  allow_cooperative: Type.Optional(Type.Boolean({ description: 'Accept verdicts of script tests in compiled languages (cpp, c, java, go, rust), which run in the solution\'s own process and can be forged by it (trust "cooperative"). Refused (400) unless true; use stdio tests for RL.' }))
}, { additionalProperties: false, description: 'Code reference of /v1/score: the completion\'s code is extracted first, then run against these tests.' })

export type CallTests = Static<typeof CallTestsSchema>
export type StdioTests = Static<typeof StdioTestsSchema>
export type ScriptTests = Static<typeof ScriptTestsSchema>
export type CodeTests = Static<typeof CodeTestsSchema>
export type CodeReference = Static<typeof CodeReferenceSchema>
export type CodeScoring = Static<typeof CodeScoringSchema>
export type Checker = Static<typeof CheckerSchema>

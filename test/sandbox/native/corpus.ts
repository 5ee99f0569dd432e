/**
 * HumanEval-X (C++, Java, Go, Rust) and cp_stdio as verifier inputs, assembled as SOURCES.md
 * (../shared/eval/code/SOURCES.md) describes, from $EVAL_DIR. `code` is the solution part of the program and
 * `script` the test part (a compiled script test: verdict = exit status, trust cooperative); cp_stdio rows
 * become stdio tests, with the float checker at the tolerance the row states.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EVAL_DIR } from '../corpus.ts'
import type { CodeCheckInput, CodeLanguage } from '../../../src/rewards/code/api.ts'
import type { Checker } from '../../../src/rewards/code/schema.ts'
import { humanevalXCallTests } from '../../../src/rewards/code/humaneval-x.ts'

export type HeLanguage = 'cpp' | 'java' | 'go' | 'rust'
type Row = Record<string, unknown>
const s = (x: unknown): string => String(x ?? '')

function rows (file: string): Row[] {
  return readFileSync(join(EVAL_DIR, 'code', file), 'utf8').split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as Row)
}

export function nativeCorpusAvailable (): boolean {
  return existsSync(join(EVAL_DIR, 'code', 'humaneval_cpp.jsonl')) && existsSync(join(EVAL_DIR, 'code', 'cp_stdio.jsonl'))
}

const CPP_HEADERS = ['#include<stdlib.h>', '#include<algorithm>', '#include<math.h>', '#include<stdio.h>', '#include<vector>', '#include<string>', '#include<climits>', '#include<cstring>', '#include<iostream>']
const GO_PKGS = ['math', 'strings', 'fmt', 'strconv', 'time', 'bytes', 'regexp', 'sort', 'math/rand', 'crypto/md5']

/** The solution part of a HumanEval-X program for `completion` (canonical_solution or a candidate body). */
export function heCode (language: HeLanguage, r: Row, completion: string): string {
  const prompt = s(r.prompt)
  switch (language) {
    case 'cpp': return CPP_HEADERS.filter(h => !prompt.includes(h)).map(h => h + '\n').join('') + '\n' + prompt + completion
    case 'java': return prompt + completion
    case 'go': {
      const setup = s(r.test_setup)
      const pkgs = GO_PKGS.filter(p => !setup.includes(p) && completion.includes(`${p.split('/').at(-1) ?? p}.`))
      const imports = pkgs.length > 0 ? 'import (\n' + pkgs.map(p => `"${p}"\n`).join('    ') + ')\n' : ''
      return setup + '\n' + imports + prompt.replace(s(r.import), '') + completion
    }
    case 'rust': return '\nfn main(){ \n } \n' + s(r.declaration) + prompt + completion
  }
}

export interface HeItem { id: string, status: string, input: CodeCheckInput }

export function humanevalX (language: HeLanguage): { canonical: HeItem[], wrong: HeItem[] } {
  const tasks = rows(`humaneval_${language}.jsonl`)
  const byId = new Map(tasks.map(r => [s(r.id), r]))
  const item = (r: Row, completion: string, status: string): HeItem => ({
    id: s(r.id),
    status,
    input: { language, code: heCode(language, r, completion), tests: { type: 'script', script: s(r.test) } }
  })
  return {
    canonical: tasks.map(r => item(r, s(r.canonical_solution), s(r.canonical_status))),
    wrong: rows(`humaneval_${language}_wrong.jsonl`).map(w => item(byId.get(s(w.id)) ?? {}, s(w.completion), 'fail'))
  }
}

/** The solution part for a call test: as heCode, but Go is a plain package main (no testing imports). */
export function heCallCode (language: HeLanguage, r: Row, completion: string): string {
  if (language !== 'go') return heCode(language, r, completion)
  const pkgs = GO_PKGS.filter(p => completion.includes(`${p.split('/').at(-1) ?? p}.`))
  const imports = pkgs.length > 0 ? 'import (\n' + pkgs.map(p => `"${p}"\n`).join('    ') + ')\n' : ''
  return 'package main\n\n' + imports + s(r.prompt).replace(s(r.import), '') + completion
}

/** HumanEval-X rows whose tests convert to call tests (src/rewards/code/humaneval-x.ts), canonical and wrong. */
export function humanevalXCall (language: HeLanguage): { tasks: number, canonical: HeItem[], wrong: HeItem[] } {
  const tasks = rows(`humaneval_${language}.jsonl`)
  const calls = new Map(tasks.map(r => [s(r.id), humanevalXCallTests(language, s(r.test), s(r.declaration)).tests]))
  const byId = new Map(tasks.map(r => [s(r.id), r]))
  const item = (r: Row, completion: string, status: string): HeItem[] => {
    const tests = calls.get(s(r.id))
    return tests == null ? [] : [{ id: s(r.id), status, input: { language, code: heCallCode(language, r, completion), tests } }]
  }
  return {
    tasks: tasks.length,
    canonical: tasks.flatMap(r => item(r, s(r.canonical_solution), s(r.canonical_status))),
    wrong: rows(`humaneval_${language}_wrong.jsonl`).flatMap(w => item(byId.get(s(w.id)) ?? {}, s(w.completion), 'fail'))
  }
}

export interface CpItem { id: string, language: CodeLanguage, input: CodeCheckInput, judgeable: boolean, expect: 'pass' | 'fail' }

/** A checker for a row flagged needs_checker: the float checker at its stated tolerance; none for the others. */
export function cpChecker (r: Row): Checker | null | undefined {
  if (r.needs_checker !== true) return undefined
  const ft = r.float_tolerance as { mode?: string, tol?: number } | undefined
  if (ft?.tol === undefined) return null // several right outputs and no validator: cannot be judged
  const mode = ft.mode ?? ''
  return { type: 'builtin', name: 'float', ...(mode.includes('absolute') && { abs_tol: ft.tol }), ...(mode.includes('relative') && { rel_tol: ft.tol }) }
}

export function cpStdio (): CpItem[] {
  const out: CpItem[] = []
  for (const r of rows('cp_stdio.jsonl')) {
    const checker = cpChecker(r)
    const cases = (r.tests as Array<{ stdin: string, stdout: string }>).map(t => ({ stdin: t.stdin, stdout: t.stdout }))
    const tests = { type: 'stdio' as const, cases, ...(checker ? { checker } : {}) }
    const sols = [{ language: s(r.language), solution: s(r.solution) }, ...(r.other_solutions as Array<{ language: string, solution: string }>)]
    for (const sol of sols) {
      out.push({ id: s(r.id), language: sol.language as CodeLanguage, input: { language: sol.language as CodeLanguage, code: sol.solution, tests }, judgeable: checker !== null, expect: 'pass' })
    }
    const wrong = r.known_wrong_solution
    if (typeof wrong === 'string') out.push({ id: s(r.id), language: 'python', input: { language: 'python', code: wrong, tests }, judgeable: true, expect: 'fail' })
  }
  return out
}

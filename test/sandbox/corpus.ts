/**
 * Loads the code-eval corpora (../shared/eval/code beside the repository, or $EVAL_DIR) as verifier inputs.
 * Field meanings: ../shared/eval/code/SOURCES.md. Nothing is copied into the repository.
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join, resolve } from 'node:path'
import type { CodeCheckInput } from '../../src/rewards/code/api.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const EVAL_DIR = resolve(ROOT, process.env.EVAL_DIR ?? '../shared/eval')

export interface CorpusItem { id: string, input: CodeCheckInput }

function rows (file: string): Array<Record<string, unknown>> {
  return readFileSync(join(EVAL_DIR, 'code', file), 'utf8').split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as Record<string, unknown>)
}

export function corpusAvailable (): boolean {
  return existsSync(join(EVAL_DIR, 'code', 'humaneval.jsonl'))
}

const s = (x: unknown): string => String(x ?? '')

export function humaneval (): CorpusItem[] {
  return rows('humaneval.jsonl').map(r => ({
    id: s(r.id),
    input: { language: 'python', code: s(r.prompt) + s(r.canonical_solution), tests: { type: 'script', script: `${s(r.test)}\ncheck(${s(r.entry_point)})\n` } }
  }))
}

export function humanevalWrong (): CorpusItem[] {
  const tests = new Map(rows('humaneval.jsonl').map(r => [s(r.id), r]))
  return rows('humaneval_wrong.jsonl').map(r => {
    const t = tests.get(s(r.id)) ?? {}
    return { id: s(r.id), input: { language: 'python', code: s(r.full_program), tests: { type: 'script', script: `${s(t.test)}\ncheck(${s(r.entry_point)})\n` } } }
  })
}

export function mbpp (): CorpusItem[] {
  return rows('mbpp.jsonl').map(r => ({
    id: s(r.id),
    input: {
      language: 'python',
      code: s(r.code),
      tests: { type: 'script', script: [...(r.test_imports as string[]), ...(r.test_list as string[])].join('\n') + '\n' }
    }
  }))
}

export function humanevalJs (): CorpusItem[] {
  return rows('humaneval_js.jsonl').map(r => ({
    id: s(r.id),
    input: { language: 'javascript', code: s(r.prompt) + s(r.canonical_solution), tests: { type: 'script', script: s(r.test) } }
  }))
}

export function humanevalJsWrong (): CorpusItem[] {
  const tests = new Map(rows('humaneval_js.jsonl').map(r => [s(r.id), r]))
  return rows('humaneval_js_wrong.jsonl').map(r => ({
    id: s(r.id),
    input: { language: 'javascript', code: s(r.full_program), tests: { type: 'script', script: s(tests.get(s(r.id))?.test) } }
  }))
}

export function multiplE (): Array<CorpusItem & { completion: string, observed: string }> {
  return rows('multipl_e_humaneval_js.jsonl').map(r => ({
    id: s(r.id),
    completion: s(r.sample_completion_markdown),
    observed: s(r.sample_verdict_observed),
    input: { language: 'javascript', code: '', tests: { type: 'script', script: s(r.tests) } }
  }))
}

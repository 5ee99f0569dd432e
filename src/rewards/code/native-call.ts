/**
 * Call tests in compiled languages: the program is the solution plus a generated driver
 * (sandboxes/<language>/call_driver.*). The driver deduces the function's parameter types from the function
 * itself (C++ templates, Java and Go reflection, Rust trait inference on a fn pointer; C: c-call.ts, from gcc's
 * -aux-info and LeetCode-style C's list convention), reads one case's
 * arguments as JSON on stdin, calls the function and writes one frame `<nonce> <tagged JSON>\n` on fd 4. The
 * host checks the frame here and compares the value with compare.ts; expected values never enter the jail.
 * src/sandbox/native/README.md ("Test forms") argues what this does and does not guarantee.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { familyOf, type NativeLanguage } from '../../sandbox/native/toolchains.ts'
import { numberText } from './lossless.ts'
import type { CallTests } from './schema.ts'

const driverText = (() => {
  const cache = new Map<string, string>()
  return (file: string): string => {
    let t = cache.get(file)
    if (t === undefined) cache.set(file, t = readFileSync(fileURLToPath(new URL(`../../../sandboxes/${file}`, import.meta.url)), 'utf8'))
    return t
  }
})()

/** Bytes of fd 4 kept per run: a frame longer than this is garbled (the case fails). */
export const RESULT_BYTES = 4 << 20

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Why `function` cannot name a function in `language` (a 400 on the request), or null. */
export function callFunctionProblem (language: NativeLanguage, fn: string): string | null {
  const parts = fn.split('.')
  if (!parts.every(p => IDENT.test(p))) return `'${fn}' is not an identifier in ${language} (letters, digits and _ only)`
  const fam = familyOf(language)
  if (parts.length > 1 && (fam === 'go' || fam === 'c')) return `${language} call tests name a plain function, not 'Type.method'`
  return null
}

/** The program (and, for Go, the driver's own file) for a call test of `fn`. `fn` passed callFunctionProblem. */
export function callProgram (language: NativeLanguage, code: string, fn: string, arity: number): { source: string, extra: string } {
  const [a, b] = fn.split('.') as [string, string | undefined]
  switch (familyOf(language)) {
    case 'cpp': {
      const target = b === undefined ? `::${a}` : `::${a}::${b}`
      // the solution's `main` (if any) is renamed; its macros end before the epilogue's two tokens
      return {
        source: `${driverText('cpp/call_driver.hpp')}\n#define main rv_solution_main_\n#line 1 "solution.cpp"\n${code}\n#undef main\n#undef int\nint main () { return ::rv_call_::run(&${target}); }\n`,
        extra: ''
      }
    }
    case 'java': {
      const cls = b === undefined ? 'Solution' : a
      const method = b ?? a
      return { source: `${code}\n${driverText('java/CallDriver.java').replaceAll('RV_CLASS', cls).replaceAll('RV_METHOD', method)}`, extra: '' }
    }
    case 'go': {
      // a solution without a package clause is package main; its own main (if any) is renamed out of the way
      const pkg = /^\s*package\s+\w+/m.test(code) ? '' : 'package main\n'
      return { source: pkg + code.replace(/^func\s+main\s*\(/m, 'func rvSolutionMain_('), extra: driverText('go/call_driver.go').replaceAll('RV_FUNC', a) }
    }
    case 'rust': {
      const target = b === undefined ? a : `${a}::${b}`
      // the solution is a module (its own `fn main`, if any, is just a function there); the shim casts the
      // function to a fn pointer of the first case's arity, and inference finds its argument and return types
      const ptr = `fn(${Array.from({ length: arity }, () => '_').join(', ')}) -> _`
      return { source: `${driverText('rust/call_driver.rs')}\nmod rv_solution {\n${code}\n\npub fn rv_call_(args: &[crate::rv_call::J]) -> String { crate::rv_call::invoke(${target} as ${ptr}, args) }\n}\n`, extra: '' }
    }
    case 'c':
      throw new Error('C call programs come from c-call.ts (they need the prototype pass first)')
  }
}

/** JSON text of `x` with every number as the request wrote it (lossless.ts), for the driver's stdin. */
export function losslessJson (x: unknown, text?: string): string {
  if (typeof x === 'number') return text ?? (Number.isFinite(x) ? String(x) : 'null')
  if (Array.isArray(x)) return '[' + x.map((v, i) => losslessJson(v, numberText(x, i))).join(',') + ']'
  if (typeof x === 'object' && x !== null) {
    return '{' + Object.entries(x).map(([k, v]) => JSON.stringify(k) + ':' + losslessJson(v, numberText(x, k))).join(',') + '}'
  }
  return JSON.stringify(x) ?? 'null'
}

/** The driver's stdin for one case: the run's nonce, then the arguments. */
export function callStdin (nonce: string, c: CallTests['cases'][number]): string {
  return `${nonce}\n${losslessJson(c.args)}\n`
}

/**
 * The value of a run's fd 4: exactly one frame `<nonce> <json>\n` and nothing else, else an error (the case
 * fails: a missing, short, doubled or garbled result is never a pass).
 */
export function readFrame (result: string | undefined, nonce: string): { value: unknown } | { error: string } {
  if (result === undefined || result === '') return { error: 'the driver reported no result' }
  if (result.length > RESULT_BYTES) return { error: 'the result is too large' }
  const prefix = `${nonce} `
  if (!result.startsWith(prefix) || !result.endsWith('\n') || result.indexOf('\n') !== result.length - 1) return { error: 'the result channel holds something other than one result' }
  try {
    return { value: JSON.parse(result.slice(prefix.length, -1)) as unknown }
  } catch {
    return { error: 'the result is not JSON' }
  }
}

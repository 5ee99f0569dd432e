/**
 * C call tests: a C signature does not say a list's length, so the driver follows LeetCode-style C's convention
 * (src/sandbox/native/README.md "Call tests in C"). The prototype comes from gcc itself: a first, cached,
 * syntax-only build in a jail writes `-aux-info` (types as written, typedef names kept, macros expanded); the host
 * reads the function's line, groups its parameters into logical arguments by pointer depth and position, and
 * generates an epilogue that parses each argument into the declared types, calls the function and writes the
 * result. Which C type a typedef name is gets decided at compile time by `_Generic` (sandboxes/c/call_driver.h).
 * The type text is the solution's (untrusted); it is pasted into the solution's own program only, whose result
 * the host judges as for every other language.
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { NativeRuntime } from '../../sandbox/native/runtime.ts'
import { C_PROTOTYPES_FILE, type NativeLanguage } from '../../sandbox/native/toolchains.ts'

const driverH = (() => {
  let t: string | undefined
  return (): string => (t ??= readFileSync(new URL('../../../sandboxes/c/call_driver.h', import.meta.url), 'utf8'))
})()

/** The driver's runtime, then the solution (its `main` renamed, its line numbers its own). */
export function cHead (code: string): string {
  return `${driverH()}\n#define main rv_solution_main_\n#line 1 "solution.c"\n${code}\n`
}

interface CType { text: string, base: string, stars: number, constChar: boolean }
interface CParam extends CType { name: string }

const STORAGE = /\b(extern|static|inline|__inline|__inline__|_Noreturn)\b/g
const QUALIFIERS = new Set(['const', 'volatile', 'restrict', '__restrict', '__restrict__'])
const SUPPORTED = 'integers, float/double, bool, char, char * strings, T *xs + int xsSize lists, T **g + int gSize + int *gColSize lists of lists; a returned T * needs a last parameter int *returnSize (T ** also int **returnColumnSizes)'

function typeOf (text: string): CType | string {
  const t = text.replace(STORAGE, '').trim()
  if (/[()[\]]|\.\.\./.test(t)) return 'function pointers, arrays of arrays and variadic functions are not supported'
  const stars = (t.match(/\*/g) ?? []).length
  const first = t.indexOf('*')
  const words = (first < 0 ? t : t.slice(0, first)).split(/\s+/).filter(w => w !== '')
  const base = words.filter(w => !QUALIFIERS.has(w)).join(' ')
  if (/^(struct|union)\b/.test(base)) return 'structs and unions are not supported'
  if (base === 'void' && stars > 0) return 'void pointers are not supported'
  return { text: t, base, stars, constChar: base === 'char' && words.includes('const') }
}

function paramOf (text: string): CParam | string {
  const m = /^(.*?)([A-Za-z_]\w*)\s*$/s.exec(text.trim())
  if (m === null || /[()[\]]/.test(text)) return typeOf(text) as string
  const ty = typeOf(m[1] as string)
  return typeof ty === 'string' ? ty : { ...ty, name: m[2] as string }
}

/** Commas at parenthesis depth 0. */
function splitTop (s: string): string[] {
  const out: string[] = []
  let depth = 0
  let cur = ''
  for (const c of s) {
    if (c === '(') depth++
    if (c === ')') depth--
    if (c === ',' && depth === 0) { out.push(cur); cur = '' } else cur += c
  }
  if (cur.trim() !== '') out.push(cur)
  return out
}

export interface CPrototype { ret: CType, params: CParam[] }

/** The definition of `fn` in gcc's -aux-info text, or why the call test cannot call it (a compile error). */
export function cPrototype (aux: string, fn: string): CPrototype | { problem: string } {
  const line = aux.split('\n').find(l => /^\/\* [^\n]*:\d+:[NO]F \*\//.test(l) && new RegExp(`[\\s*]${fn} \\(`).test(l))
  if (line === undefined) return { problem: `call tests (c): the solution defines no function '${fn}'` }
  const decl = line.slice(line.indexOf('*/') + 2)
  const at = decl.search(new RegExp(`[\\s*]${fn} \\(`)) + 1
  const retText = decl.slice(0, at)
  let depth = 0
  let end = at + fn.length + 1
  for (; end < decl.length; end++) {
    if (decl[end] === '(') depth++
    if (decl[end] === ')' && --depth === 0) break
  }
  if (!/^\s*;/.test(decl.slice(end + 1))) return { problem: `call tests (c): '${fn}' returns a function pointer, which is not supported` }
  const ret = typeOf(retText)
  if (typeof ret === 'string') return { problem: `call tests (c): the return type of '${fn}' (${retText.trim()}) is not supported: ${ret}; supported: ${SUPPORTED}` }
  const inner = decl.slice(at + fn.length + 2, end).trim()
  const params: CParam[] = []
  for (const [i, text] of (inner === 'void' ? [] : splitTop(inner)).entries()) {
    const p = paramOf(text)
    if (typeof p === 'string') return { problem: `call tests (c): parameter ${i + 1} of '${fn}' (${text.trim()}) is not supported: ${p}; supported: ${SUPPORTED}` }
    params.push(p)
  }
  return { ret, params }
}

/** The scalar C type one JSON value becomes (a string is a char *), and how many list levels lie above it. */
function cell (t: CType): { cell: string, depth: number } {
  if (t.base === 'char' && t.stars > 0) return { cell: t.constChar ? 'const char *' : 'char *', depth: t.stars - 1 }
  return { cell: t.base, depth: t.stars }
}

const cString = (s: string): string => JSON.stringify(s.replace(/[^\x20-\x7e]/g, '?'))
/** A pointer type's text without its last `*` (what it points to). */
const dropStar = (text: string): string => text.replace(/\*(?!.*\*)/s, '')
const pointee = (p: CParam): string => dropStar(p.text)
/** gcc prints a static assertion's message with its quotes escaped: the message has none. */
function assertType (macro: string, type: string, what: string): string {
  return `_Static_assert(${macro}(${type}), ${cString(`call tests (c): ${what.replaceAll("'", '')}; supported: ${SUPPORTED}`)});\n`
}

/** The epilogue (static assertions, then main) that calls `fn`, or why its signature fits no convention. */
export function cEpilogue (proto: CPrototype, fn: string): { source: string } | { problem: string } {
  const { ret } = proto
  const params = [...proto.params]
  const unsupported = (why: string): { problem: string } => ({ problem: `call tests (c): ${why}; supported: ${SUPPORTED}` })
  let asserts = ''
  let body = ''
  const callArgs: string[] = []
  const r = cell(ret)
  // the returned list's sizes are the last parameters (LeetCode's returnSize, returnColumnSizes)
  const sizes = params.splice(params.length - Math.min(r.depth, params.length))
  if (sizes.length !== r.depth || r.depth > 2 || sizes.some((p, i) => p.stars !== i + 1)) {
    return unsupported(`'${fn}' returns ${ret.text}, which needs ${r.depth === 1 ? 'a last parameter int *returnSize' : r.depth === 2 ? 'last parameters int *returnSize, int **returnColumnSizes' : 'fewer pointer levels'}`)
  }
  let logical = 0
  for (let i = 0; i < params.length; i++) {
    const p = params[i] as CParam
    const { cell: c, depth } = cell(p)
    const a = `rv_a${logical}`
    const v = `rv_v${logical}`
    asserts += assertType('RV_SUPPORTED_', c, `parameter '${p.name}' has the unsupported type ${p.text}`)
    body += `  const rv_j_ *${a} = &rv_args_.a[${logical}];\n`
    if (depth === 0) {
      body += `  ${c} ${v} = RV_PARSER_(${c})(${a});\n`
      callArgs.push(`(${p.text})${v}`)
    } else if (depth === 1 || depth === 2) {
      const n = params[i + 1]
      const cols = params[i + 2]
      if (n === undefined || n.stars !== 0 || (depth === 2 && (cols === undefined || cols.stars !== 1))) {
        return unsupported(`parameter '${p.name}' (${p.text}) is a ${depth === 1 ? 'list: it must be followed by its length (int n)' : 'list of lists: it must be followed by int rows, int *colSizes'}`)
      }
      asserts += assertType('RV_INTEGER_', n.text, `parameter '${n.name}' (the length of '${p.name}') must be an integer, not ${n.text}`)
      body += `  rv_list_(${a});\n  ${c} *${depth === 2 ? '*' : ''}${v} = rv_alloc_(${a}->n, sizeof *${v});\n`
      if (depth === 1) body += `  for (size_t rv_i = 0; rv_i < ${a}->n; rv_i++) ${v}[rv_i] = RV_PARSER_(${c})(&${a}->a[rv_i]);\n`
      else {
        const colType = pointee(cols as CParam)
        asserts += assertType('RV_INTEGER_', colType, `parameter '${(cols as CParam).name}' (the row lengths of '${p.name}') must be an integer pointer, not ${(cols as CParam).text}`)
        body += `  ${colType} *${v}c = rv_alloc_(${a}->n, sizeof *${v}c);\n` +
          `  for (size_t rv_i = 0; rv_i < ${a}->n; rv_i++) {\n    const rv_j_ *rv_row = rv_list_(&${a}->a[rv_i]);\n    ${v}c[rv_i] = (${colType})rv_row->n;\n` +
          `    ${v}[rv_i] = rv_alloc_(rv_row->n, sizeof **${v});\n    for (size_t rv_k = 0; rv_k < rv_row->n; rv_k++) ${v}[rv_i][rv_k] = RV_PARSER_(${c})(&rv_row->a[rv_k]);\n  }\n`
      }
      callArgs.push(`(${p.text})${v}`, `(${n.text})${a}->n`)
      if (depth === 2) callArgs.push(`(${(cols as CParam).text})${v}c`)
      i += depth
    } else return unsupported(`parameter '${p.name}' (${p.text}) has more pointer levels than a list of lists`)
    logical++
  }
  const call = `${fn}(${callArgs.join(', ')})`
  if (ret.base === 'void' && ret.stars === 0) body += `  ${call};\n  rv_puts_(&rv_out_, "null");\n`
  else {
    asserts += assertType('RV_SUPPORTED_', r.cell, `'${fn}' returns the unsupported type ${ret.text}`)
    const write = (x: string): string => `RV_WRITER_(${r.cell})(${x})`
    const sz = sizes.map(pointee)
    sz.forEach((t, k) => { asserts += assertType('RV_INTEGER_', k === 0 ? t : dropStar(t), `'${(sizes[k] as CParam).name}' must point to an integer, not ${(sizes[k] as CParam).text}`) })
    if (r.depth >= 1) body += `  ${sz[0] as string} rv_rs = 0;\n`
    if (r.depth === 2) body += `  ${sz[1] as string} rv_rcs = 0;\n`
    callArgs.push(...sizes.map((p, k) => `(${p.text})&${k === 0 ? 'rv_rs' : 'rv_rcs'}`))
    body += `  ${r.cell} ${'*'.repeat(r.depth)}rv_r = ${fn}(${callArgs.join(', ')});\n`
    const list = (n: string, item: (i: string) => string, i: string): string =>
      `rv_w_len_((long long)(${n})); rv_putc_(&rv_out_, '['); for (long long ${i} = 0; ${i} < (long long)(${n}); ${i}++) { if (${i} > 0) rv_putc_(&rv_out_, ','); ${item(i)} } rv_putc_(&rv_out_, ']');`
    if (r.depth === 0) body += `  ${write('rv_r')};\n`
    else if (r.depth === 1) body += `  ${list('rv_rs', i => `${write(`rv_r[${i}]`)};`, 'rv_i')}\n`
    else body += `  ${list('rv_rs', i => list(`rv_rcs[${i}]`, k => `${write(`rv_r[${i}][${k}]`)};`, 'rv_k'), 'rv_i')}\n`
  }
  return { source: `#undef main\n#undef int\n${asserts}int main (void) {\n  rv_read_(${logical});\n${body}  rv_report_();\n}\n` }
}

export type CCallProgram = { source: string } | { compileError: string, cached: boolean, compileMs: number } | { error: string }

const AUX_BYTES = 16 << 20

/** The prototype pass (a cached syntax-only build in a jail), then the program to build for the call test. */
export async function cCallProgram (rt: NativeRuntime, language: NativeLanguage, code: string, fn: string, signal?: AbortSignal): Promise<CCallProgram> {
  const head = cHead(code)
  const b = await rt.build(language, 'prototype', head, signal)
  try {
    const o = b.outcome
    if (o.kind === 'error') return { error: o.reason }
    if (o.kind === 'compile_error') return { compileError: o.message, cached: o.cached, compileMs: o.compileMs }
    const file = join(o.box, C_PROTOTYPES_FILE)
    if (statSync(file).size > AUX_BYTES) return { compileError: `call tests (c): the solution declares more than ${AUX_BYTES} bytes of prototypes`, cached: o.cached, compileMs: o.compileMs }
    const proto = cPrototype(readFileSync(file, 'utf8'), fn)
    const epi = 'problem' in proto ? proto : cEpilogue(proto, fn)
    if ('problem' in epi) return { compileError: epi.problem, cached: o.cached, compileMs: o.compileMs }
    return { source: head + epi.source }
  } finally {
    b.release()
  }
}

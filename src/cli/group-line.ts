/**
 * One JSONL input line → a validated group, or the reason it is malformed (naming the field), using the
 * same TypeBox schema as /v1/score. A compiled check runs on every line; the slower Value.Errors only on
 * lines that fail it.
 */
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'
import { GroupSchema, type Group } from '../scoring/schema.ts'

const validator = Compile(GroupSchema)

export type LineOutcome = { group: Group, error?: undefined } | { error: string, group?: undefined }

export function parseGroupLine (text: string): LineOutcome {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { error: `not valid JSON: ${(err as Error).message}` }
  }
  if (!validator.Check(value)) return { error: describeErrors(Value.Errors(GroupSchema, value)) }
  const g = value
  if (g.length_tokens !== undefined && g.length_tokens.length !== g.completions.length) {
    return { error: `field /length_tokens has ${g.length_tokens.length} entries for ${g.completions.length} completions` }
  }
  return { group: g }
}

interface TbError { keyword: string, schemaPath: string, instancePath: string, params: Record<string, unknown>, message: string }

/**
 * The most useful of TypeBox's errors: union branches whose discriminating constant did not match are
 * dropped (so a math reference without `answer` says "answer is required", not "type must be 'none'"),
 * then the deepest field wins.
 */
export function describeErrors (errors: readonly TbError[]): string {
  let list = errors.filter(e => e.keyword !== 'anyOf' && e.keyword !== 'boolean')
  const branch = (e: TbError): string | null => /^(.*anyOf\/\d+)/.exec(e.schemaPath)?.[1] ?? null
  const mismatched = new Set(list.filter(e => e.keyword === 'const').map(branch).filter(b => b !== null))
  const matched = list.filter(e => { const b = branch(e); return b === null || !mismatched.has(b) })
  if (matched.length > 0) list = matched
  const withField = list.map(e => ({ e, field: fieldOf(e) }))
  withField.sort((a, b) => b.field.split('/').length - a.field.split('/').length)
  const top = withField[0]
  if (top === undefined) return 'does not match the group schema'
  const { e, field } = top
  const consts = list.filter(x => x.keyword === 'const' && x.instancePath === field).map(x => JSON.stringify(x.params.allowedValue))
  let what: string
  if (consts.length > 1) what = `must be one of ${consts.join(', ')}`
  else if (e.keyword === 'required') what = 'is required'
  else if (e.keyword === 'additionalProperties') what = 'is not a known field'
  else what = e.message
  return field === '' ? `the line ${what}` : `field ${field} ${what}`
}

function fieldOf (e: TbError): string {
  const first = (key: string): string => String((e.params[key] as unknown[] | undefined)?.[0] ?? '')
  if (e.keyword === 'required') return `${e.instancePath}/${first('requiredProperties')}`
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${first('additionalProperties')}`
  return e.instancePath
}

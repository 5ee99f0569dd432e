/** Argument helpers shared by the CLI commands: strict parsing, integers, JSON options validated by schema. */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { readFileSync } from 'node:fs'
import { Value } from 'typebox/value'
import type { TSchema, Static } from 'typebox'
import { describeErrors } from './group-line.ts'

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>

export function parse (argv: string[], options: Options): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

export function str (values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

export function required (values: Record<string, unknown>, name: string): string {
  const v = str(values, name)
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`)
  return v
}

export function int (values: Record<string, unknown>, name: string, def: number, min = 1, max = 1_000_000): number {
  const v = str(values, name)
  if (v === undefined) return def
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got '${v}')`)
  return Number(v)
}

export function intList (values: Record<string, unknown>, name: string): number[] | undefined {
  const v = str(values, name)
  if (v === undefined) return undefined
  const parts = v.split(',').map(s => s.trim())
  if (parts.some(p => !/^\d+$/.test(p) || Number(p) < 1)) throw new UsageError(`--${name} must be a comma-separated list of positive integers (got '${v}')`)
  return parts.map(Number)
}

/** Parses JSON (from an option or a file) and checks it against a schema; the error names the field. */
export function jsonOption<T extends TSchema> (text: string, schema: T, what: string): Static<T> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`)
  }
  if (!Value.Check(schema, value)) throw new UsageError(`${what}: ${describeErrors(Value.Errors(schema, value))}`)
  return value
}

export function readText (path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as Error).message}`)
  }
}

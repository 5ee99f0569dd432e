/**
 * loadConfig(env): reads the keys of ConfigSchema from an environment, converts and validates them once,
 * and returns a frozen Config. Throws ConfigError naming the key; never exits the process.
 */
import { Value } from 'typebox/value'
import { ConfigSchema, type Config } from './schema.ts'
import { errors } from '../errors.ts'

export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    const value = env[key]
    if (value === undefined || value === '') continue
    const type = 'type' in schema ? schema.type : undefined
    raw[key] = type === 'integer' ? toInteger(key, value) : type === 'number' ? toNumber(value) : type === 'boolean' ? toBoolean(value) : value
  }
  const withDefaults = Value.Default(ConfigSchema, raw) as Record<string, unknown>
  const first = Value.Errors(ConfigSchema, withDefaults)[0]
  if (first !== undefined) {
    const key = first.instancePath.replace(/^\//, '') || '(config)'
    throw new errors.ConfigInvalid(key, `${first.message} (got ${JSON.stringify(withDefaults[key])})`)
  }
  return Object.freeze(withDefaults as Config)
}

function toInteger (key: string, value: string): number | string {
  return /^-?\d+$/.test(value.trim()) ? Number(value) : value
}

function toNumber (value: string): number | string {
  const n = Number(value.trim())
  return value.trim() !== '' && Number.isFinite(n) ? n : value
}

function toBoolean (value: string): boolean | string {
  const v = value.trim().toLowerCase()
  if (['true', '1', 'yes', 'on'].includes(v)) return true
  if (['false', '0', 'no', 'off'].includes(v)) return false
  return value
}

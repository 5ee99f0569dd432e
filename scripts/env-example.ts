/** Renders .env.example from the config schema (every key, its description and default). */
import { ConfigSchema } from '../src/config/schema.ts'

export function renderEnvExample (): string {
  const lines = ['# reward-verifier configuration: every key, with its default. Generated from src/config/schema.ts.', '']
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    const s = schema as { description?: string, default?: unknown, 'x-default'?: string }
    // a default that depends on the machine is named (left empty = default), not printed with this machine's value
    const machine = s['x-default']
    lines.push(`# ${s.description ?? ''}${machine === undefined ? '' : ` Default: ${machine}.`}`)
    lines.push(`${key}=${machine === undefined ? String(s.default ?? '') : ''}`)
    lines.push('')
  }
  return lines.join('\n')
}

if (process.argv[1]?.endsWith('env-example.ts') === true) process.stdout.write(renderEnvExample())

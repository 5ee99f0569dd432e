/** Renders .env.example from the config schema (every key, its description and default). */
import { ConfigSchema } from '../src/config/schema.ts'

export function renderEnvExample (): string {
  const lines = ['# reward-verifier configuration: every key, with its default. Generated from src/config/schema.ts.', '']
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    const s = schema as { description?: string, default?: unknown }
    lines.push(`# ${s.description ?? ''}`)
    const def = key.endsWith('_THREADS') ? '' : String(s.default ?? '')
    lines.push(`${key}=${def}${key.endsWith('_THREADS') ? '  # default: cores - 1' : ''}`)
    lines.push('')
  }
  return lines.join('\n')
}

if (process.argv[1]?.endsWith('env-example.ts') === true) process.stdout.write(renderEnvExample())

/**
 * `reward-verifier keys add --name NAME --scope S [--scope S...] [--file PATH]`: mints an API key, appends
 * its line (name, scopes, SHA-256 of the key) to the keys file (API_KEYS_FILE by default) and prints the
 * key once, on stdout. The key itself is stored nowhere. `keys list` prints the names and scopes.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { formatLine, mintKey, parseKeys, NAME_PATTERN } from '../auth/keys.ts'
import { formatScope, parseScope } from '../auth/scopes.ts'
import { parseArgs } from 'node:util'

const usage = `usage:
  reward-verifier keys add --name NAME --scope SCOPE [--scope SCOPE...] [--file PATH]
  reward-verifier keys list [--file PATH]

scopes: score, admin, metrics, rollouts:<run>, trainer:<run> (<run> may be *)
--file defaults to API_KEYS_FILE. The key is printed once; only its SHA-256 is written to the file.
`

export async function keysCommand (argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [sub, ...rest] = argv
  let values: { name?: string, scope?: string[], file?: string, help?: boolean }
  try {
    values = parseArgs({
      args: rest,
      options: { name: { type: 'string' }, scope: { type: 'string', multiple: true }, file: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false
    }).values
  } catch (err) {
    process.stderr.write(`reward-verifier keys: ${(err as Error).message}\n${usage}`)
    return 2
  }
  if (values.help === true || sub === undefined || sub === 'help') { process.stdout.write(usage); return sub === undefined ? 2 : 0 }
  const file = values.file ?? env.API_KEYS_FILE ?? ''
  if (file === '') { process.stderr.write(`reward-verifier keys: no keys file: pass --file PATH or set API_KEYS_FILE\n${usage}`); return 2 }
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : ''
  let entries
  try {
    entries = parseKeys(existing, file)
  } catch (err) {
    process.stderr.write(`reward-verifier keys: ${(err as Error).message}\n`)
    return 1
  }
  if (sub === 'list') {
    for (const e of entries) process.stdout.write(`${e.name}\t${e.scopes.map(formatScope).join(',')}\n`)
    return 0
  }
  if (sub !== 'add') { process.stderr.write(`reward-verifier keys: unknown subcommand '${sub}'\n${usage}`); return 2 }
  const name = values.name ?? ''
  if (!NAME_PATTERN.test(name)) { process.stderr.write(`reward-verifier keys: --name must match ${NAME_PATTERN.source}\n`); return 2 }
  if (entries.some(e => e.name === name)) { process.stderr.write(`reward-verifier keys: a key named '${name}' is already in ${file}\n`); return 1 }
  const scopes = values.scope ?? []
  if (scopes.length === 0) { process.stderr.write('reward-verifier keys: at least one --scope is required\n'); return 2 }
  const bad = scopes.find(s => parseScope(s) === null)
  if (bad !== undefined) { process.stderr.write(`reward-verifier keys: unknown scope '${bad}' (score, admin, metrics, rollouts:<run>, trainer:<run>)\n`); return 2 }
  const key = mintKey()
  const line = formatLine(name, scopes, key)
  if (existing === '') writeFileSync(file, `# reward-verifier API keys: NAME SCOPES SHA256(key)\n${line}`, { mode: 0o600 })
  else appendFileSync(file, existing.endsWith('\n') ? line : `\n${line}`)
  process.stderr.write(`added key '${name}' (${scopes.join(',')}) to ${file}; the key is printed once, below:\n`)
  process.stdout.write(`${key}\n`)
  return 0
}

/** Test helper: a keys file with freshly minted keys, removed when the test ends. */
import type { TestContext } from 'node:test'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { formatLine, mintKey } from '../../src/auth/keys.ts'

/** Writes NAME → scopes into a new API_KEYS_FILE; returns its path and each name's key. */
export function keysFile (t: TestContext, keys: Record<string, string[]>): { path: string, key: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'rwd-keys-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  const key: Record<string, string> = {}
  let text = ''
  for (const [name, scopes] of Object.entries(keys)) {
    key[name] = mintKey()
    text += formatLine(name, scopes, key[name])
  }
  const path = join(dir, 'api-keys')
  writeFileSync(path, text)
  return { path, key }
}

export const bearer = (key: string | undefined): { authorization: string } => ({ authorization: `Bearer ${key ?? ''}` })
export const basic = (key: string | undefined, user = 'rv'): { authorization: string } => ({ authorization: `Basic ${Buffer.from(`${user}:${key ?? ''}`).toString('base64')}` })

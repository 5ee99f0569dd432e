/**
 * API keys: the file format, minting and lookup. API_KEYS_FILE holds one key a line,
 *   NAME SCOPE[,SCOPE...] SHA256-HEX-OF-THE-KEY
 * with `#` comments and blank lines allowed. The key itself is never stored: it is printed once when
 * minted (`reward-verifier keys add`). Lookup hashes the presented key and compares it with every entry in
 * constant time (timingSafeEqual over all entries, no early exit). The file is re-read when it changes, so
 * a key added while the service runs works within a few seconds.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { parseScope, type Scope } from './scopes.ts'

export interface KeyEntry {
  name: string
  scopes: Scope[]
  digest: Buffer
}

export const NAME_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/
/** Longest key accepted from a request (keys we mint are 47 characters). */
const MAX_KEY_CHARS = 256
const RELOAD_CHECK_MS = 2000

export function hashKey (key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** A new random key (256 bits), printable and URL-safe (it can sit in a URL's userinfo). */
export function mintKey (): string {
  return `rvk_${randomBytes(32).toString('base64url')}`
}

export function formatLine (name: string, scopes: string[], key: string): string {
  return `${name} ${scopes.join(',')} ${hashKey(key)}\n`
}

/** Parses a keys file; throws an Error naming the line for anything malformed. */
export function parseKeys (text: string, source = 'API_KEYS_FILE'): KeyEntry[] {
  const out: KeyEntry[] = []
  const names = new Set<string>()
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const parts = line.split(/\s+/)
    const where = `${source} line ${i + 1}`
    if (parts.length !== 3) throw new Error(`${where}: expected 'NAME SCOPES SHA256', got ${parts.length} fields`)
    const [name, scopeList, digest] = parts as [string, string, string]
    if (!NAME_PATTERN.test(name)) throw new Error(`${where}: name '${name}' must match ${NAME_PATTERN.source}`)
    if (names.has(name)) throw new Error(`${where}: name '${name}' repeats an earlier line`)
    names.add(name)
    if (!/^[0-9a-f]{64}$/.test(digest)) throw new Error(`${where}: the third field must be the key's SHA-256 in lowercase hex (64 characters)`)
    const scopes = scopeList.split(',').map(s => {
      const scope = parseScope(s)
      if (scope === null) throw new Error(`${where}: unknown scope '${s}' (score, admin, metrics, rollouts:<run>, trainer:<run>; <run> may be *)`)
      return scope
    })
    out.push({ name, scopes, digest: Buffer.from(digest, 'hex') })
  })
  return out
}

/** The keys of API_KEYS_FILE, re-read when the file changes. */
export class KeyStore {
  private entries: KeyEntry[]
  private mtimeMs: number
  private checkedAt = Date.now()

  constructor (readonly path: string, private readonly onReloadError: (err: Error) => void = () => {}) {
    this.mtimeMs = statSync(path).mtimeMs
    this.entries = parseKeys(readFileSync(path, 'utf8'), path)
  }

  get size (): number { return this.entries.length }

  private maybeReload (): void {
    const now = Date.now()
    if (now - this.checkedAt < RELOAD_CHECK_MS) return
    this.checkedAt = now
    try {
      const m = statSync(this.path).mtimeMs
      if (m === this.mtimeMs) return
      this.entries = parseKeys(readFileSync(this.path, 'utf8'), this.path)
      this.mtimeMs = m
    } catch (err) {
      this.onReloadError(err as Error) // keep the keys we have
    }
  }

  /** The entry whose key this is, or null. Compares against every entry (no early exit). */
  lookup (key: string): KeyEntry | null {
    this.maybeReload()
    if (key.length === 0 || key.length > MAX_KEY_CHARS) return null
    const digest = createHash('sha256').update(key, 'utf8').digest()
    let found: KeyEntry | null = null
    for (const e of this.entries) {
      if (timingSafeEqual(e.digest, digest) && found === null) found = e
    }
    return found
  }
}

/** Canonical JSON (sorted keys) and its SHA-256: stable hashes for configs and idempotency keys. */
import { createHash } from 'node:crypto'

export function canonicalJson (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj).filter(k => obj[k] !== undefined).sort()
  return `{${keys.map(k => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`
}

export function sha256Hex (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

export function hashJson (value: unknown, length = 16): string {
  return sha256Hex(canonicalJson(value)).slice(0, length)
}

/** A 32-bit seed derived from strings (FNV-1a), for repeatable pseudo-randomness. */
export function seedFrom (...parts: string[]): number {
  let h = 0x811c9dc5
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      h ^= part.charCodeAt(i)
      h = Math.imul(h, 0x01000193)
    }
    h ^= 0xff
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/**
 * Whether the service authenticates, decided once at start-up from the configuration:
 *   API_KEYS_FILE set           → keys required (unless AUTH=off)
 *   AUTH=off                    → no authentication, whatever HOST is (say so explicitly)
 *   neither, HOST is loopback   → no authentication (only this machine can reach the port)
 *   neither, HOST is not        → refuse to start: a shared network must not get an open service
 */
import { isIP } from 'node:net'
import type { Config } from '../config/schema.ts'
import { errors } from '../errors.ts'
import { KeyStore } from './keys.ts'

export type AuthMode = { enabled: false, why: string } | { enabled: true, keys: KeyStore }

export function isLoopback (host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h === '::1') return true
  if (isIP(h) === 4) return h.startsWith('127.')
  return h === '::ffff:127.0.0.1'
}

export function resolveAuth (config: Config, onReloadError?: (err: Error) => void): AuthMode {
  if (config.GET_REWARD_TOKEN !== '') {
    throw new errors.ConfigInvalid('GET_REWARD_TOKEN', 'is retired: mint an API key with the score scope (reward-verifier keys add --name NAME --scope score), list it in API_KEYS_FILE and send it as the bearer token or URL userinfo')
  }
  if (config.AUTH === 'off') return { enabled: false, why: 'AUTH=off' }
  const file = config.API_KEYS_FILE
  if (file !== '') {
    try {
      return { enabled: true, keys: new KeyStore(file, onReloadError) }
    } catch (err) {
      throw new errors.ConfigInvalid('API_KEYS_FILE', (err as Error).message)
    }
  }
  if (config.AUTH === 'on') throw new errors.ConfigInvalid('API_KEYS_FILE', 'AUTH=on needs API_KEYS_FILE (mint keys with reward-verifier keys add)')
  if (isLoopback(config.HOST)) return { enabled: false, why: `HOST ${config.HOST} is loopback` }
  throw new errors.ConfigInvalid('API_KEYS_FILE', `is not set and HOST ${config.HOST} is not a loopback address: anyone who reaches the port could use the service. ` +
    'Mint keys (reward-verifier keys add --name NAME --scope S...) and set API_KEYS_FILE, or set AUTH=off to run without authentication')
}

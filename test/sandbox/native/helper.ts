/** A code verifier for the compiled-language tests: its own uid ranges and a fresh build cache per file. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCodeVerifier } from '../../../src/rewards/code/verifier.ts'
import { jailUnavailableReason } from '../../../src/sandbox/bwrap.ts'
import { toolchainMissing, type NativeLanguage } from '../../../src/sandbox/native/toolchains.ts'
import type { CodeVerifier } from '../../../src/rewards/code/api.ts'

export function skipUnless (...languages: NativeLanguage[]): string | false {
  return jailUnavailableReason() ?? languages.map(toolchainMissing).find(m => m !== null) ?? false
}

export function nativeVerifier (uidBase: number, slots = 2): { v: CodeVerifier, cacheDir: string, cleanup: () => Promise<void> } {
  const cacheDir = mkdtempSync(join(tmpdir(), 'rv-native-test-'))
  const v = createCodeVerifier({ pythonSlots: 1, uidBase: uidBase + 900, native: { slots, uidBase, checkerUidBase: uidBase + 400, cacheDir } })
  return { v, cacheDir, cleanup: async () => { await v.close(); rmSync(cacheDir, { recursive: true, force: true }) } }
}

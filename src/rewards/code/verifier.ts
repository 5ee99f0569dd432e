/**
 * createCodeVerifier: the code reward's entry point. Python runs in warm bubblewrap jails (src/sandbox),
 * JavaScript in isolated-vm isolates; limits are the server caps lowered by the request, never raised.
 * A sandbox that cannot run answers status 'error' with reward null (never a 0, never a weaker sandbox).
 */
import type { CodeCheckInput, CodeCheckResult, CodeVerifier, CodeVerifierOptions } from './api.ts'
import { PythonPool } from '../../sandbox/python-pool.ts'
import { JsPool } from '../../sandbox/js-pool.ts'
import { JAVASCRIPT_CAPS, PYTHON_CAPS, capsWith, clampLimits } from '../../sandbox/limits.ts'
import { runPython } from './python-run.ts'
import { runJavascript } from './js-run.ts'
import { testCount } from './verdicts.ts'
import { runNative } from './native-run.ts'
import { NativeRuntime } from '../../sandbox/native/runtime.ts'
import { familyOf, isNative, NATIVE_LANGUAGES, NATIVE_META, toolchainMissing, type NativeLanguage } from '../../sandbox/native/toolchains.ts'
import { tmpdir, availableParallelism } from 'node:os'
import { join } from 'node:path'

export function createCodeVerifier (opts: CodeVerifierOptions = {}): CodeVerifier {
  const pyCaps = capsWith(PYTHON_CAPS, opts.caps?.python)
  const jsCaps = capsWith(JAVASCRIPT_CAPS, opts.caps?.javascript)
  let python: PythonPool | undefined
  let native: NativeRuntime | undefined
  const nativePool = (): NativeRuntime => {
    native ??= new NativeRuntime({
      slots: opts.native?.slots ?? availableParallelism(),
      uidBase: opts.native?.uidBase ?? 66000,
      checkerUidBase: opts.native?.checkerUidBase ?? 70000,
      cacheDir: opts.native?.cacheDir ?? defaultCacheDir(),
      cacheBytes: (opts.native?.cacheMb ?? 2048) * (1 << 20),
      ...(opts.native?.warm !== undefined && { warm: opts.native.warm })
    })
    return native
  }
  /** Why the compiled-language runtime cannot run (null: it can); a cache dir it cannot use is a reason, not a throw. */
  const nativeUnavailable = (): string | null => {
    try { return nativePool().unavailable } catch (err) { return `build cache: ${(err as Error).message}` }
  }
  // Enabled compiled languages: the configured list, or (no list) every one whose toolchain is installed.
  const listed = opts.native?.languages
  const enabled = new Set<string>(listed ?? NATIVE_LANGUAGES.filter(l => toolchainMissing(l) === null))
  const nativeCaps = (l: NativeLanguage): typeof PYTHON_CAPS => capsWith(NATIVE_META[familyOf(l)].limits, opts.caps?.[l] ?? opts.caps?.[familyOf(l)])
  let js: JsPool | undefined
  const pyPool = (): PythonPool => {
    python ??= new PythonPool({
      ...(opts.pythonSlots !== undefined && { slots: opts.pythonSlots }),
      ...(opts.uidBase !== undefined && { uidBase: opts.uidBase }),
      ...(opts.nproc !== undefined && { nproc: opts.nproc }),
      ...(opts.bwrap !== undefined && { bwrap: opts.bwrap })
    })
    return python
  }
  const jsPool = (): JsPool => {
    js ??= new JsPool({ ...(opts.jsIsolates !== undefined && { isolates: opts.jsIsolates }), ...(opts.jsUidBase !== undefined && { uidBase: opts.jsUidBase }) })
    return js
  }

  async function verify (input: CodeCheckInput, o: { signal?: AbortSignal } = {}): Promise<CodeCheckResult> {
    try {
      if (isNative(input.language)) {
        if (!enabled.has(input.language)) {
          return { status: 'error', reward: null, passed: 0, total: testCount(input.tests), tests: [], reason: `language ${input.language} is not enabled on this server (CODE_LANGUAGES)` }
        }
        return await runNative(nativePool(), input, clampLimits(nativeCaps(input.language), input.limits), o.signal)
      }
      if (input.tests.type === 'stdio' && input.tests.checker !== undefined) {
        return { status: 'unscorable', reward: null, passed: 0, total: testCount(input.tests), tests: [], reason: 'checkers are supported for compiled languages (cpp, c, java, go, rust) only' }
      }
      if (input.language === 'python') return await runPython(pyPool(), input, clampLimits(pyCaps, input.limits), o.signal)
      if (input.language === 'javascript') return await runJavascript(jsPool(), input, clampLimits(jsCaps, input.limits), o.signal)
      return { status: 'error', reward: null, passed: 0, total: 0, tests: [], reason: `unsupported language ${String(input.language)}` }
    } catch (err) {
      return { status: 'error', reward: null, passed: 0, total: testCount(input.tests), tests: [], reason: `sandbox failure: ${(err as Error).message}` }
    }
  }

  return {
    verify,
    async warm () {
      await Promise.all([pyPool().warm(), jsPool().warm()])
    },
    languages () {
      const out: Record<string, string> = {}
      for (const l of NATIVE_LANGUAGES) {
        if (!enabled.has(l)) continue
        const missing = toolchainMissing(l) ?? nativeUnavailable()
        out[l] = missing === null ? 'ok' : `missing: ${missing}`
      }
      return { required: listed !== undefined, status: out }
    },
    async close () {
      python?.close()
      js?.close()
      native?.close()
    }
  }
}

/** Root shares one cache; any other user gets its own (a directory another uid owns cannot be made 0711 by it). */
function defaultCacheDir (): string {
  const uid = process.getuid?.() ?? 0
  return join(tmpdir(), uid === 0 ? 'reward-verifier-build-cache' : `reward-verifier-build-cache-${uid}`)
}

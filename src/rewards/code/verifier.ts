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

export function createCodeVerifier (opts: CodeVerifierOptions = {}): CodeVerifier {
  const pyCaps = capsWith(PYTHON_CAPS, opts.caps?.python)
  const jsCaps = capsWith(JAVASCRIPT_CAPS, opts.caps?.javascript)
  let python: PythonPool | undefined
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
    js ??= new JsPool({ ...(opts.jsIsolates !== undefined && { isolates: opts.jsIsolates }) })
    return js
  }

  async function verify (input: CodeCheckInput, o: { signal?: AbortSignal } = {}): Promise<CodeCheckResult> {
    try {
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
    async close () {
      python?.close()
      js?.close()
    }
  }
}

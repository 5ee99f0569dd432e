/**
 * Admission control for synchronous work, a layer above the pools (the pools themselves are unchanged):
 * the math verifier and the code verifier are wrapped so that every check waits its tenant's turn at a
 * Gate (src/admission/gate.ts) before it reaches the pool. The math gate lets in as many checks as there
 * are math workers, so a slow check never has another tenant's check queued behind it inside a worker;
 * the code gate lets in CODE_MAX_CONCURRENT checks (Python and JavaScript together), which is how an
 * operator caps the sandboxes' share of the CPU.
 */
import type { Config } from '../config/schema.ts'
import type { MathVerifier, MathCheckInput, MathCheckResult } from '../rewards/math/api.ts'
import type { CodeVerifier, CodeCheckInput, CodeCheckResult } from '../rewards/code/api.ts'
import { Gate } from '../admission/gate.ts'

/** Who a check is for (fair scheduling) and the request's cancellation. */
export interface CallContext { signal?: AbortSignal, tenant?: string }

/** Work without a tenant: the queue workers (scoring rollouts) and internal probes. */
export const INTERNAL_TENANT = 'internal'

export interface Gates { math: Gate, code: Gate }

export function createGates (config: Config, mathThreads = config.MATH_THREADS): Gates {
  const codeSlots = config.CODE_MAX_CONCURRENT > 0 ? config.CODE_MAX_CONCURRENT : config.CODE_PYTHON_SLOTS + config.CODE_JS_ISOLATES
  return {
    math: new Gate({
      name: 'math',
      capacity: mathThreads,
      maxQueued: config.ADMISSION_MATH_QUEUE,
      maxWaitMs: config.ADMISSION_MAX_WAIT_MS,
      priorMs: 5,
      settings: { queue: 'ADMISSION_MATH_QUEUE', wait: 'ADMISSION_MAX_WAIT_MS' }
    }),
    code: new Gate({
      name: 'code',
      capacity: codeSlots,
      maxQueued: config.ADMISSION_CODE_QUEUE,
      maxWaitMs: config.ADMISSION_MAX_WAIT_MS,
      priorMs: 500,
      settings: { queue: 'ADMISSION_CODE_QUEUE', wait: 'ADMISSION_MAX_WAIT_MS' }
    })
  }
}

export interface GatedMath extends MathVerifier {
  check: (input: MathCheckInput, opts?: CallContext) => Promise<MathCheckResult>
  checkMany: (inputs: MathCheckInput[], opts?: CallContext) => Promise<MathCheckResult[]>
}

export interface GatedCode extends CodeVerifier {
  verify: (input: CodeCheckInput, opts?: CallContext) => Promise<CodeCheckResult>
}

function passOn (signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal }
}

export function gateMath (inner: MathVerifier, gate: Gate): GatedMath {
  const check = async (input: MathCheckInput, o: CallContext = {}): Promise<MathCheckResult> =>
    await gate.run(o.tenant ?? INTERNAL_TENANT, o.signal, async () => await inner.check(input, passOn(o.signal)))
  return {
    check,
    checkMany: async (inputs, o = {}) => await Promise.all(inputs.map(async i => await check(i, o))),
    close: async () => { await inner.close() }
  }
}

export function gateCode (inner: CodeVerifier, gate: Gate): GatedCode {
  return {
    verify: async (input, o = {}) => await gate.run(o.tenant ?? INTERNAL_TENANT, o.signal, async () => await inner.verify(input, passOn(o.signal))),
    warm: async () => { await inner.warm() },
    ...(inner.languages === undefined ? {} : { languages: () => inner.languages?.() ?? { required: false, status: {} } }),
    close: async () => { await inner.close() }
  }
}

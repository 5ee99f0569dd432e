/**
 * Types shared by the sandbox driver (src/sandbox) and the code verifier (src/rewards/code).
 * A "job" is everything one completion needs: its code and all its tests, run by one warm jail.
 */

/** Limits that reach the jail, after the request's values were clamped to the server caps. */
export interface EffectiveLimits {
  /** CPU time per test case (call, stdio) or for the whole script (script form), in ms. */
  time_ms: number
  /** Address-space cap per process (RLIMIT_AS for Python, isolate heap for JavaScript). */
  memory_mb: number
  /** stdout + stderr + serialised return values, per candidate process. */
  output_bytes: number
  /** RLIMIT_FSIZE for files written under the jail's private /tmp. */
  fsize_bytes: number
  /** RLIMIT_NOFILE. */
  nofile: number
  /** Wall-clock backstop per case = time_ms * wall_factor + wall_extra_ms (CPU time decides first). */
  wall_factor: number
  wall_extra_ms: number
}

export type JobForm = 'call' | 'stdio' | 'script'

export interface PythonJob {
  form: JobForm
  code: string
  /** call form: the function's name ('Solution.method' instantiates the class first). */
  function?: string
  /** call form: positional arguments per case, as tagged JSON (see sandboxes/python/codec.py). */
  cases?: unknown[][]
  /** stdio form: stdin per case. */
  stdins?: string[]
  /** script form: the test program; sent on a separate pipe read only by the judge process. */
  script?: string
  limits: EffectiveLimits
}

/** One raw per-case outcome from a sandbox, before the host compares anything. */
export interface RawCase {
  /** 'ok' (a value or stdout to compare), 'passed' (script form), or a failure verdict. */
  v: string
  value?: unknown
  stdout?: string
  error?: string
  stderr?: string
  ms?: number
}

export interface RawJobResult {
  /** 'ok': cases are meaningful; 'error': the sandbox failed (reason says why); 'timeout': host backstop. */
  status: 'ok' | 'error' | 'timeout' | 'test_error'
  cases: RawCase[]
  reason?: string
  wall_ms: number
  /** The jail went away before the job could start: the pool runs it on a live jail instead. */
  requeue?: boolean
}

/**
 * Server caps and the clamp rule: a request may lower a limit, never raise it (piston's constraint loop).
 */
import type { EffectiveLimits } from './types.ts'
import pythonMeta from '../../sandboxes/python/metadata.json' with { type: 'json' }
import javascriptMeta from '../../sandboxes/javascript/metadata.json' with { type: 'json' }

export interface RequestLimits {
  time_ms?: number
  memory_mb?: number
  output_bytes?: number
}

/** Default server caps, from sandboxes/<runtime>/metadata.json. */
export const PYTHON_CAPS: EffectiveLimits = Object.freeze({ ...pythonMeta.limits })

export const JAVASCRIPT_CAPS: EffectiveLimits = Object.freeze({ ...javascriptMeta.limits })

const FLOORS = { time_ms: 10, memory_mb: 32, output_bytes: 1024 }

function lower (cap: number, asked: number | undefined, floor: number): number {
  if (asked === undefined || !Number.isFinite(asked)) return cap
  return Math.max(floor, Math.min(cap, Math.floor(asked)))
}

/** The limits a run gets: each requested value clamped into [floor, cap]; unknown keys ignored. */
export function clampLimits (caps: EffectiveLimits, req: RequestLimits | undefined): EffectiveLimits {
  return {
    ...caps,
    time_ms: lower(caps.time_ms, req?.time_ms, FLOORS.time_ms),
    memory_mb: lower(caps.memory_mb, req?.memory_mb, Math.min(FLOORS.memory_mb, caps.memory_mb)),
    output_bytes: lower(caps.output_bytes, req?.output_bytes, FLOORS.output_bytes)
  }
}

/** Caps with operator overrides (config, not requests): positive numbers replace the built-in values. */
export function capsWith (base: EffectiveLimits, over: Partial<EffectiveLimits> | undefined): EffectiveLimits {
  const out = { ...base }
  for (const k of Object.keys(base) as Array<keyof EffectiveLimits>) {
    const v = over?.[k]
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[k] = v
  }
  return out
}

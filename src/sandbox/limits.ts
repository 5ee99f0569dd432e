/**
 * Server caps and the clamp rule: a request may lower a limit, never raise it (piston's constraint loop).
 */
import type { EffectiveLimits } from './types.ts'

export interface RequestLimits {
  time_ms?: number
  memory_mb?: number
  output_bytes?: number
}

export const PYTHON_CAPS: EffectiveLimits = Object.freeze({
  time_ms: 10_000,
  memory_mb: 512,
  output_bytes: 1 << 20,
  fsize_bytes: 16 << 20,
  nofile: 64,
  wall_factor: 2,
  wall_extra_ms: 1000
})

export const JAVASCRIPT_CAPS: EffectiveLimits = Object.freeze({
  time_ms: 5_000,
  memory_mb: 128,
  output_bytes: 1 << 20,
  fsize_bytes: 0,
  nofile: 0,
  wall_factor: 1,
  wall_extra_ms: 0
})

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

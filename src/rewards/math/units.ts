/**
 * Quantities with units ("5\text{ km}", "2 hours", "3\,\mathrm{m/s}"): the unit at the end of an answer is
 * split off and read by mathjs's unit system. mathjs is loaded on the first answer that carries a unit
 * (workers load it while warming up), so plain numbers never touch it. Unit text is at most 60 characters.
 */
import { createRequire } from 'node:module'
import type { Unit } from 'mathjs'

type MathJs = typeof import('mathjs')
const require = createRequire(import.meta.url)
let mj: MathJs | null = null
function mathjs (): MathJs {
  mj ??= require('mathjs') as MathJs
  return mj
}

/** Unit words (plain text and \text{}) and the mathjs name each stands for. */
const WORDS: Record<string, string> = {}
const add = (name: string, ...words: string[]): void => { for (const w of words) WORDS[w] = name }
add('hour', 'hour', 'hours', 'hr', 'hrs', 'h')
add('minute', 'minute', 'minutes', 'min', 'mins')
add('s', 'second', 'seconds', 'sec', 'secs', 's')
add('day', 'day', 'days'); add('week', 'week', 'weeks'); add('year', 'year', 'years', 'yr', 'yrs')
add('month', 'month', 'months')
add('km', 'km', 'kilometer', 'kilometers', 'kilometre', 'kilometres')
add('m', 'm', 'meter', 'meters', 'metre', 'metres')
add('cm', 'cm', 'centimeter', 'centimeters', 'centimetre', 'centimetres')
add('mm', 'mm', 'millimeter', 'millimeters', 'millimetre', 'millimetres')
add('inch', 'inch', 'inches', 'in'); add('ft', 'foot', 'feet', 'ft'); add('yd', 'yard', 'yards', 'yd')
add('mi', 'mile', 'miles', 'mi')
add('mi/h', 'mph'); add('km/h', 'kph', 'kmh')
add('kg', 'kg', 'kilogram', 'kilograms'); add('g', 'g', 'gram', 'grams'); add('mg', 'mg', 'milligram', 'milligrams')
add('lb', 'lb', 'lbs', 'pound', 'pounds'); add('oz', 'oz', 'ounce', 'ounces')
add('L', 'l', 'liter', 'liters', 'litre', 'litres'); add('mL', 'ml', 'milliliter', 'milliliters', 'millilitre', 'millilitres')
add('gallon', 'gallon', 'gallons'); add('cup', 'cup', 'cups')
add('N', 'n', 'newton', 'newtons'); add('J', 'j', 'joule', 'joules'); add('W', 'w', 'watt', 'watts')
add('Pa', 'pa', 'pascal', 'pascals'); add('Hz', 'hz', 'hertz'); add('V', 'v', 'volt', 'volts')
add('rad', 'rad', 'rads', 'radian', 'radians')
/** Single letters read as units in plain text would be variables (5m, 2h): only inside \text{} etc. */
const TEXT_ONLY = new Set(['h', 's', 'm', 'g', 'in', 'l', 'n', 'j', 'w', 'v', 'mi'])

/** A word that names a unit in plain text (no mathjs involved). */
export function isUnitWord (w: string): boolean {
  const low = w.toLowerCase()
  return (WORDS[w] !== undefined || WORDS[low] !== undefined || low === 'square' || low === 'cubic' || low === 'per') && !TEXT_ONLY.has(low)
}

export interface Quantity { value: string, unit: string }

const TEXT_TAIL = /\\(?:text|mbox|mathrm|textrm|rm|operatorname|textnormal|mathit)\s*\{([^{}]{1,60})\}(\s*\^\s*\{?\s*[23]\s*\}?)?\s*$/
const PLAIN_TAIL = /(?:^|[\s\d})])((?:[A-Za-z]+\s*(?:\/|\s)\s*){0,3}[A-Za-z]+(?:\s*\^\s*\{?\s*[23]\s*\}?)?)\s*$/

/**
 * Splits "5\text{ km}" into value "5" and unit "km" (a mathjs unit name); null when no known unit ends it.
 * Single letters in plain text (5000 m) are units only with `letters` (the gold carries a unit).
 */
export function splitUnit (s: string, letters = false): Quantity | null {
  let m = TEXT_TAIL.exec(s)
  let inText = true
  if (m === null) { m = PLAIN_TAIL.exec(s); inText = false }
  if (m === null) return null
  const body = inText ? m[1] ?? '' : m[1] ?? ''
  const power = inText ? (m[2] ?? '').replace(/[^23]/g, '') : ''
  const unit = unitName(body, inText || letters)
  if (unit === null) return null
  const start = inText ? m.index : m.index + m[0].indexOf(m[1] ?? '')
  const value = s.slice(0, start).trim()
  if (value.length === 0 || !/[\d}).]$/.test(value)) return null
  const full = power.length === 0 ? unit : /^[A-Za-z]+$/.test(unit) ? `${unit}^${power}` : `(${unit})^${power}`
  return known(full) ? { value, unit: full } : null
}

/** "square inches" -> inch^2, "m/s" -> m/s, "miles per hour" -> mi/h; null for anything that is not a unit. */
function unitName (text: string, inText: boolean): string | null {
  const parts = text.trim().replace(/\bper\b/gi, '/').replace(/\s*\/\s*/g, ' / ').split(/\s+/)
  let out = ''
  let power = ''
  for (const raw of parts) {
    if (raw === '') continue
    if (raw === '/') { out += '/'; continue }
    const pm = /^([A-Za-z]+)(?:\^\{?([23])\}?)?$/.exec(raw)
    if (pm === null) return null
    const w = pm[1] ?? ''
    const low = w.toLowerCase()
    if (low === 'square' || low === 'sq') { power = '2'; continue }
    if (low === 'cubic') { power = '3'; continue }
    const name = WORDS[w] ?? WORDS[low]
    if (name === undefined) return null
    if (!inText && TEXT_ONLY.has(low)) return null
    const p = pm[2] ?? power
    if (out !== '' && !out.endsWith('/')) out += ' '
    out += p !== '' ? `${name}^${p}` : name
    power = ''
  }
  return out === '' || out.endsWith('/') || power !== '' ? null : out
}

const cache = new Map<string, Unit | null>()
function unitOf (name: string): Unit | null {
  const hit = cache.get(name)
  if (hit !== undefined || cache.has(name)) return hit ?? null
  let u: Unit | null = null
  try { u = mathjs().unit(name) } catch { u = null }
  if (cache.size > 512) cache.clear()
  cache.set(name, u)
  return u
}

function known (name: string): boolean { return unitOf(name) !== null }

export type UnitRelation = { same: true } | { factor: number, offset: boolean } | { differ: true }

/** How a value in unit `from` is written in unit `to`: the same unit, a factor, or a different dimension. */
export function relate (from: string, to: string): UnitRelation {
  if (from === to) return { same: true }
  const a = unitOf(from)
  const b = unitOf(to)
  if (a === null || b === null || !a.equalBase(b)) return { differ: true }
  const m = mathjs()
  const factor = m.unit(1, from).toNumber(to)
  const offset = m.unit(0, from).toNumber(to) !== 0
  return Math.abs(factor - 1) < 1e-12 && !offset ? { same: true } : { factor, offset }
}

/** A value written in unit `from`, in unit `to` (for units with an offset: temperatures). */
export function convert (v: number, from: string, to: string): number {
  return mathjs().unit(v, from).toNumber(to)
}

/** Loads mathjs now (worker warm-up). */
export function warmUnits (): void { unitOf('km') }

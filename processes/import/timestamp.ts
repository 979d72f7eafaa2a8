// Reads event-log timestamps into UTC nanoseconds (bigint: fractions below a millisecond and
// dates before 1970 both occur in real logs). An offset in the text wins; a reading without
// one is taken in the caller's zone. Invalid calendar dates are refused, not rolled over.
import { type TimeZone, wallTimeToUtcMs } from '../../core/time-zone.ts'

interface TimeFields {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  /** The fraction of the second as written, e.g. '199' for .199. */
  fraction: string
  /** 'Z', '+01:00', '-0530', '+01' or absent. */
  offset?: string
}

/** A compiled timestamp layout: text -> fields, or undefined when the text does not fit. */
export type TimestampLayout = (text: string) => TimeFields | undefined

// ISO 8601 / RFC 3339 with the variants exports write: a space for the T, '/' in the date,
// a comma before the fraction, no seconds, a date alone, 'UTC' or a compact offset.
const isoLike = /^(\d{4})([-/])(\d{2})\2(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/

export const isoTimestampLayout: TimestampLayout = (text) => {
  const m = isoLike.exec(text)
  if (!m) return undefined
  const fields: TimeFields = {
    year: Number(m[1]),
    month: Number(m[3]),
    day: Number(m[4]),
    hour: Number(m[5] ?? 0),
    minute: Number(m[6] ?? 0),
    second: Number(m[7] ?? 0),
    fraction: m[8] ?? '',
  }
  if (m[9] !== undefined) fields.offset = m[9]
  return fields
}

const patternTokens: ReadonlyArray<readonly [string, string, keyof TimeFields]> = [
  ['YYYY', '(\\d{4})', 'year'],
  ['MM', '(\\d{2})', 'month'],
  ['M', '(\\d{1,2})', 'month'],
  ['DD', '(\\d{2})', 'day'],
  ['D', '(\\d{1,2})', 'day'],
  ['HH', '(\\d{2})', 'hour'],
  ['H', '(\\d{1,2})', 'hour'],
  ['mm', '(\\d{2})', 'minute'],
  ['ss', '(\\d{2})', 'second'],
  ['S', '(\\d+)', 'fraction'],
  ['Z', '(Z|z|[+-]\\d{2}(?::?\\d{2})?)', 'offset'],
]

/**
 * A layout from a pattern such as `DD.MM.YYYY HH:mm:ss` (tokens YYYY MM M DD D HH H mm ss,
 * S... for the fraction, Z for an offset; anything else is literal), or a message why not.
 */
export function timestampLayoutFromPattern(pattern: string): TimestampLayout | string {
  let source = '^'
  const order: Array<keyof TimeFields> = []
  for (let i = 0; i < pattern.length;) {
    const token = patternTokens.find(([name]) => pattern.startsWith(name, i))
    if (token) {
      const [name, regex, field] = token
      source += regex
      order.push(field)
      i += name === 'S' ? (/^S+/.exec(pattern.slice(i))?.[0].length ?? 1) : name.length
    } else {
      source += pattern[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      i += 1
    }
  }
  if (!order.includes('year') || !order.includes('month') || !order.includes('day')) {
    return `timestamp format "${pattern}" needs YYYY, MM (or M) and DD (or D)`
  }
  const regex = new RegExp(`${source}$`)
  return (text) => {
    const m = regex.exec(text.trim())
    if (!m) return undefined
    const fields: TimeFields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, fraction: '' }
    order.forEach((field, index) => {
      const value = m[index + 1] ?? ''
      if (field === 'fraction' || field === 'offset') fields[field] = value
      else fields[field] = Number(value)
    })
    return fields
  }
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0)
  date.setUTCFullYear(year, month, 0)
  return date.getUTCDate()
}

function offsetMs(offset: string): number | string {
  if (offset === 'Z' || offset === 'z' || offset === 'UTC') return 0
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset)
  const hours = Number(m?.[2] ?? NaN)
  const minutes = Number(m?.[3] ?? 0)
  if (!m || hours > 23 || minutes > 59) return `offset ${offset} is out of range`
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000
}

/** UTC nanoseconds of a timestamp, or the reason it is not one. */
export function parseTimestamp(text: string, zone: TimeZone, layout: TimestampLayout = isoTimestampLayout): bigint | string {
  const f = layout(text.trim())
  if (f === undefined) return 'does not match the timestamp format'
  if (f.month < 1 || f.month > 12) return `month ${f.month} does not exist`
  if (f.day < 1 || f.day > daysInMonth(f.year, f.month)) return `day ${f.day} does not exist in ${f.year}-${String(f.month).padStart(2, '0')}`
  if (f.hour > 23 || f.minute > 59 || f.second > 59) return `time ${f.hour}:${f.minute}:${f.second} does not exist`
  const wall = new Date(0)
  wall.setUTCFullYear(f.year, f.month - 1, f.day)
  wall.setUTCHours(f.hour, f.minute, f.second, 0)
  let utcMs: number
  if (f.offset === undefined || f.offset === '') {
    utcMs = wallTimeToUtcMs(wall.getTime(), zone)
  } else {
    const offset = offsetMs(f.offset)
    if (typeof offset === 'string') return offset
    utcMs = wall.getTime() - offset
  }
  // Digits beyond nanoseconds are dropped: no log source measures finer.
  return BigInt(utcMs) * 1_000_000n + BigInt(f.fraction.slice(0, 9).padEnd(9, '0'))
}

/** RFC 3339 in UTC with as many fraction digits as needed: 2010-12-30T13:32:00.199Z. */
export function formatInstant(ns: bigint): string {
  const fractionNs = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n
  const seconds = (ns - fractionNs) / 1_000_000_000n
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19)
  const fraction = fractionNs === 0n ? '' : `.${fractionNs.toString().padStart(9, '0').replace(/0+$/, '')}`
  return `${base}${fraction}Z`
}

// Alertmanager's time intervals: named sets of weekly, monthly and yearly windows in a time
// zone. A route's mute_time_intervals hold its notifications back while one is active; its
// active_time_intervals let them out only while one is. Times are [start, end) in minutes.
import { timeZoneNamed, utc, type TimeZone } from '../core/time-zone.ts'
import type { TimeIntervalConfig } from './config.ts'

interface Range {
  readonly from: number
  readonly to: number
}

interface TimeWindow {
  readonly zone: TimeZone
  readonly times: readonly Range[]
  readonly weekdays: readonly Range[]
  readonly daysOfMonth: readonly Range[]
  readonly months: readonly Range[]
  readonly years: readonly Range[]
}

/** A named time interval: active when any of its windows contains the instant. */
export type TimeIntervalSet = readonly TimeWindow[]

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']

function clock(text: string): number | undefined {
  const [h, m] = text.split(':').map(Number)
  if (h === undefined || m === undefined || m > 59 || h * 60 + m > 24 * 60) return undefined
  return h * 60 + m
}

type ValueOf = (text: string) => number | undefined

function ranges(texts: readonly string[] | undefined, valueOf: ValueOf, min: number, max: number, path: string, problems: string[]): Range[] {
  const out: Range[] = []
  for (const [i, text] of (texts ?? []).entries()) {
    const [a = '', b = a] = text.split(':').map((s) => s.trim().toLowerCase())
    const from = valueOf(a)
    const to = valueOf(b)
    if (from === undefined || to === undefined || from < min || to > max || (Math.sign(from) === Math.sign(to) && from > to)) {
      problems.push(`${path}[${i}]: '${text}' is not a range of ${min}..${max}`)
    } else out.push({ from, to })
  }
  return out
}

const integer: ValueOf = (text) => (/^-?\d+$/.test(text) ? Number(text) : undefined)
const named =
  (names: readonly string[], offset: number): ValueOf =>
  (text) => {
    const i = names.indexOf(text)
    return i >= 0 ? i + offset : integer(text)
  }

export function compileTimeIntervals(
  configs: ReadonlyArray<{ readonly name: string; readonly time_intervals: readonly TimeIntervalConfig[] }>,
  problems: string[],
): Map<string, TimeIntervalSet> {
  const out = new Map<string, TimeIntervalSet>()
  for (const [n, { name, time_intervals }] of configs.entries()) {
    if (out.has(name)) problems.push(`time_intervals[${n}].name: '${name}' is defined twice`)
    const windows = time_intervals.map((c, i): TimeWindow => {
      const path = `time_intervals[${n}].time_intervals[${i}]`
      const zone = c.location === undefined ? utc : timeZoneNamed(c.location)
      if (typeof zone === 'string') problems.push(`${path}.location: ${zone}`)
      const times = (c.times ?? []).flatMap((t, j) => {
        const from = clock(t.start_time)
        const to = clock(t.end_time)
        if (from === undefined || to === undefined || from >= to) {
          problems.push(`${path}.times[${j}]: start_time must be before end_time, both HH:MM up to 24:00`)
          return []
        }
        return [{ from, to: to - 1 }]
      })
      return {
        zone: typeof zone === 'string' ? utc : zone,
        times,
        weekdays: ranges(c.weekdays, named(WEEKDAYS, 0), 0, 6, `${path}.weekdays`, problems),
        daysOfMonth: ranges(c.days_of_month, integer, -31, 31, `${path}.days_of_month`, problems),
        months: ranges(c.months, named(MONTHS, 1), 1, 12, `${path}.months`, problems),
        years: ranges(c.years, integer, 0, 9999, `${path}.years`, problems),
      }
    })
    out.set(name, windows)
  }
  return out
}

const within = (list: readonly Range[], value: number): boolean => list.length === 0 || list.some((r) => value >= r.from && value <= r.to)

function windowContains(window: TimeWindow, utcMs: number): boolean {
  const local = new Date(utcMs + window.zone.offsetMsAt(utcMs))
  const year = local.getUTCFullYear()
  const month = local.getUTCMonth() + 1
  const day = local.getUTCDate()
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes()
  // Negative days count from the month's end: -1 is its last day.
  const dayOk =
    window.daysOfMonth.length === 0 ||
    window.daysOfMonth.some((r) => {
      const from = r.from < 0 ? daysInMonth + 1 + r.from : r.from
      const to = r.to < 0 ? daysInMonth + 1 + r.to : r.to
      return day >= from && day <= to
    })
  return dayOk && within(window.times, minute) && within(window.weekdays, local.getUTCDay()) && within(window.months, month) && within(window.years, year)
}

export function intervalActive(set: TimeIntervalSet, utcMs: number): boolean {
  return set.some((w) => windowContains(w, utcMs))
}

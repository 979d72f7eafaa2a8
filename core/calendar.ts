// Business calendars: working hours per weekday in an IANA timezone, holidays and special
// days, and the two sums SLAs and thresholds need: working time between two instants, and
// the instant a given amount of working time after a start. DST-correct through Intl alone.
import { timeZoneNamed, wallTimeToUtcMs, type TimeZone } from './time-zone.ts'

/** Weekdays as the calendar and the YAML name them; index = JavaScript's getUTCDay(). */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
export type Weekday = (typeof WEEKDAYS)[number]

/** A working interval of one local day, in minutes after local midnight: [start, end), end <= 1440. */
export interface WorkingInterval {
  readonly startMinute: number
  readonly endMinute: number
}

export type BusinessCalendar =
  | { readonly kind: 'always_open'; readonly timeZone: string }
  | {
      readonly kind: 'working_hours'
      readonly timeZone: string
      readonly week: Readonly<Record<Weekday, readonly WorkingInterval[]>>
      /** Local dates (YYYY-MM-DD) with no working time. */
      readonly holidays: readonly string[]
      /** Local dates whose hours replace the weekday's (a Saturday worked in place of a holiday). */
      readonly specialDays: Readonly<Record<string, readonly WorkingInterval[]>>
    }

/** Every minute counts (24x7): business time equals elapsed time; the zone still sets local days. */
export function alwaysOpenCalendar(timeZone = 'UTC'): BusinessCalendar {
  const zone = canonicalTimeZone(timeZone)
  if (zone === undefined) throw new RangeError(`unknown time zone '${timeZone}'`)
  return Object.freeze({ kind: 'always_open', timeZone: zone })
}

export interface WorkingHoursInput {
  readonly timeZone: string
  /** Per weekday, intervals written '08:00-18:00'; a day left out has no working time. */
  readonly week: Partial<Readonly<Record<Weekday, readonly string[]>>>
  readonly holidays?: readonly string[]
  readonly specialDays?: Readonly<Record<string, readonly string[]>>
}

function intervalsOf(texts: readonly string[], where: string): readonly WorkingInterval[] {
  const intervals = texts.map((text) => {
    const parsed = parseWorkingInterval(text)
    if (!parsed.ok) throw new RangeError(`${where}: ${parsed.message}`)
    return parsed.value
  })
  const overlap = overlapOf(intervals)
  if (overlap !== undefined) throw new RangeError(`${where}: ${overlap}`)
  return Object.freeze(intervals)
}

function checkedDate(text: string): string {
  const parsed = parseCalendarDate(text)
  if (!parsed.ok) throw new RangeError(parsed.message)
  return parsed.value
}

/**
 * Builds a working-hours calendar, refusing with a RangeError what the sums cannot use:
 * an unknown zone, malformed or overlapping intervals, bad dates, a week without working time.
 * Process definitions check each field first, so their problems name the YAML field instead.
 */
export function workingHoursCalendar(input: WorkingHoursInput): BusinessCalendar {
  const timeZone = canonicalTimeZone(input.timeZone)
  if (timeZone === undefined) throw new RangeError(`unknown time zone '${input.timeZone}'`)
  const hours = (day: Weekday): readonly WorkingInterval[] => intervalsOf(input.week[day] ?? [], day)
  const week = {
    sun: hours('sun'),
    mon: hours('mon'),
    tue: hours('tue'),
    wed: hours('wed'),
    thu: hours('thu'),
    fri: hours('fri'),
    sat: hours('sat'),
  } satisfies Record<Weekday, readonly WorkingInterval[]>
  const specialDays: Record<string, readonly WorkingInterval[]> = {}
  for (const [date, texts] of Object.entries(input.specialDays ?? {})) specialDays[checkedDate(date)] = intervalsOf(texts, date)
  const calendar: BusinessCalendar = {
    kind: 'working_hours',
    timeZone,
    week: Object.freeze(week),
    holidays: Object.freeze((input.holidays ?? []).map(checkedDate)),
    specialDays: Object.freeze(specialDays),
  }
  if (weeklyWorkingMinutes(calendar) === 0) throw new RangeError('a business calendar needs working hours on at least one weekday')
  return Object.freeze(calendar)
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string }

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

/** The canonical IANA name Intl knows the zone by ('europe/berlin' -> 'Europe/Berlin'), or undefined. */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.trim() === '') return undefined
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
  } catch {
    return undefined
  }
}

/** '08:00-18:00' -> minutes [480, 1080); '24:00' ends a day. Overnight shifts are split by the caller. */
export function parseWorkingInterval(text: string): Parsed<WorkingInterval> {
  const match = /^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/.exec(text.replaceAll(' ', ''))
  if (match === null) return { ok: false, message: `'${text}' is not a working interval; write it like '08:00-18:00'` }
  const startMinute = Number(match[1]) * 60 + Number(match[2])
  const endMinute = Number(match[3]) * 60 + Number(match[4])
  if (startMinute >= 1440 || endMinute > 1440) return { ok: false, message: `'${text}': the latest time of a day is 24:00, at the end` }
  if (startMinute >= endMinute) {
    return { ok: false, message: `'${text}' ends before it starts; split a shift over midnight into '22:00-24:00' and '00:00-06:00' on the next day` }
  }
  return { ok: true, value: Object.freeze({ startMinute, endMinute }) }
}

/** A real date written YYYY-MM-DD (2026-02-30 is refused). */
export function parseCalendarDate(text: string): Parsed<string> {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  const date = match === null ? undefined : new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
  if (date === undefined || date.toISOString().slice(0, 10) !== text) return { ok: false, message: `'${text}' is not a date written YYYY-MM-DD` }
  return { ok: true, value: text }
}

/** Intervals must be ordered and apart so that sums never count a minute twice. */
export function overlapOf(intervals: readonly WorkingInterval[]): string | undefined {
  for (let i = 1; i < intervals.length; i++) {
    const previous = intervals[i - 1]!
    const current = intervals[i]!
    if (current.startMinute < previous.endMinute)
      return `${clock(current.startMinute)}-${clock(current.endMinute)} overlaps or precedes ${clock(previous.startMinute)}-${clock(previous.endMinute)}; list the intervals of a day in order, apart`
  }
  return undefined
}

const clock = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`

// --- Wall clock <-> instant -------------------------------------------------------------

const zones = new Map<string, TimeZone>()

/** The zone's offset and wall-clock arithmetic come from core/time-zone.ts (one implementation). */
function zone(timeZone: string): TimeZone {
  let found = zones.get(timeZone)
  if (found === undefined) {
    const named = timeZoneNamed(timeZone)
    if (typeof named === 'string') throw new RangeError(named)
    found = named
    zones.set(timeZone, found)
  }
  return found
}

/** The zone's offset from UTC at an instant, in ms (Berlin in summer: +7_200_000). */
export function zoneOffsetMs(timeZone: string, instantMs: number): number {
  return zone(timeZone).offsetMsAt(instantMs)
}

/**
 * The instant a local wall-clock time names. Like Temporal's 'compatible' choice: a time in a
 * spring-forward gap moves later by the gap (02:30 -> 03:30), a time that occurs twice in the
 * autumn takes the earlier occurrence. `wallMs` is the wall clock written as if it were UTC.
 */
export function wallClockToInstant(timeZone: string, wallMs: number): number {
  return wallTimeToUtcMs(wallMs, zone(timeZone))
}

/** Local date of an instant as days since 1970-01-01, plus its weekday. */
function localDay(timeZone: string, instantMs: number): number {
  return Math.floor((instantMs + zoneOffsetMs(timeZone, instantMs)) / DAY_MS)
}

const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10)

type WorkingHoursCalendar = Extract<BusinessCalendar, { kind: 'working_hours' }>

function intervalsOfDay(calendar: WorkingHoursCalendar, day: number): readonly WorkingInterval[] {
  const date = isoDate(day)
  const special = calendar.specialDays[date]
  if (special !== undefined) return special
  if (calendar.holidays.includes(date)) return []
  return calendar.week[WEEKDAYS[new Date(day * DAY_MS).getUTCDay()]!]
}

/** The working periods of one local day as instants [start, end), ordered. */
function workingPeriods(calendar: WorkingHoursCalendar, day: number): Array<readonly [number, number]> {
  return intervalsOfDay(calendar, day).map(
    (interval) =>
      [
        wallClockToInstant(calendar.timeZone, day * DAY_MS + interval.startMinute * MINUTE_MS),
        wallClockToInstant(calendar.timeZone, day * DAY_MS + interval.endMinute * MINUTE_MS),
      ] as const,
  )
}

/** A calendar whose week holds no working minute would make every deadline infinitely far. */
export function weeklyWorkingMinutes(calendar: BusinessCalendar): number {
  if (calendar.kind === 'always_open') return 7 * 1440
  return WEEKDAYS.reduce((sum, day) => sum + calendar.week[day].reduce((total, i) => total + i.endMinute - i.startMinute, 0), 0)
}

/**
 * The working periods that overlap [from, to), clipped to it, as [startMs, endMs) pairs in
 * order. For SQL that sums business time in ClickHouse: pass them as an array parameter.
 */
export function workingPeriodsBetween(calendar: BusinessCalendar, from: Date, to: Date): Array<readonly [number, number]> {
  const start = from.getTime()
  const end = to.getTime()
  if (!(start < end)) return []
  if (calendar.kind === 'always_open') return [[start, end]]
  const periods: Array<readonly [number, number]> = []
  const lastDay = localDay(calendar.timeZone, end)
  for (let day = localDay(calendar.timeZone, start); day <= lastDay; day++) {
    for (const [periodStart, periodEnd] of workingPeriods(calendar, day)) {
      if (periodEnd > start && periodStart < end) periods.push([Math.max(start, periodStart), Math.min(end, periodEnd)])
    }
  }
  return periods
}

// Holidays are finite, so a calendar with working time in its week finds some within a few
// weeks; the bound only stops a run-away loop on an impossible calendar.
const MAX_DAYS_SCANNED = 366 * 20

/**
 * Working time in ms between two instants. Reversed arguments give the negative sum, so
 * a step recorded slightly before its predecessor (clock skew) yields a small negative value
 * the caller can flag, rather than a silent zero.
 */
export function businessDurationMs(calendar: BusinessCalendar, from: Date, to: Date): number {
  const start = from.getTime()
  const end = to.getTime()
  if (Number.isNaN(start) || Number.isNaN(end)) throw new RangeError('businessDurationMs needs valid dates')
  if (end < start) return -businessDurationMs(calendar, to, from)
  return workingPeriodsBetween(calendar, from, to).reduce((total, [periodStart, periodEnd]) => total + periodEnd - periodStart, 0)
}

/**
 * The instant when `ms` of working time have passed after `from` (an SLA deadline). Time
 * outside working hours does not count: Fri 17:00 + 2 h on Mon-Fri 08-18 is Mon 09:00. A
 * deadline that ends exactly at closing time stays there (Fri 17:00 + 1 h is Fri 18:00).
 */
export function addBusinessTime(calendar: BusinessCalendar, from: Date, ms: number): Date {
  const start = from.getTime()
  if (Number.isNaN(start)) throw new RangeError('addBusinessTime needs a valid date')
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`addBusinessTime needs a non-negative duration, got ${ms}`)
  if (calendar.kind === 'always_open' || ms === 0) return new Date(start + ms)
  if (weeklyWorkingMinutes(calendar) === 0) throw new RangeError('the calendar has no working hours in its week')
  let remaining = ms
  const firstDay = localDay(calendar.timeZone, start)
  for (let day = firstDay; day < firstDay + MAX_DAYS_SCANNED; day++) {
    for (const [periodStart, periodEnd] of workingPeriods(calendar, day)) {
      const usableFrom = Math.max(start, periodStart)
      if (usableFrom >= periodEnd) continue
      if (periodEnd - usableFrom >= remaining) return new Date(usableFrom + remaining)
      remaining -= periodEnd - usableFrom
    }
  }
  throw new RangeError(`no deadline within ${MAX_DAYS_SCANNED} days: the calendar's holidays and special days leave no working time`)
}

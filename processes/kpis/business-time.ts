// Business-calendar arithmetic in SQL: the calendar's working periods over the query's range
// are computed once in JavaScript (core/calendar.ts, DST-correct) and bound as one array
// parameter; ClickHouse then sums overlaps (working time between two instants) and walks
// cumulative sums (the instant a given working time after a start: an SLA deadline). With the
// wall clock both collapse to plain arithmetic, with no parameter at all.
import { workingPeriodsBetween, type BusinessCalendar } from '../../core/calendar.ts'
import type { Clock } from '../definitions/index.ts'

export interface ClockSql {
  /** Working ns between two Int64 ns expressions. */
  between(fromNs: string, toNs: string): string
  /** The Int64 ns instant `durationNs` of working time after `fromNs` (NULL beyond the periods). */
  after(fromNs: string, durationNs: string): string
  readonly params: Record<string, unknown>
}

export const wallClockSql: ClockSql = {
  between: (from, to) => `(${to} - ${from})`,
  after: (from, duration) => `(${from} + ${duration})`,
  params: {},
}

/**
 * Working periods from `fromMs` to `toMs` as [startNs, endNs) pairs. The range must cover
 * every instant the query measures from, and every deadline it looks for.
 */
export function businessClockSql(calendar: BusinessCalendar, fromMs: number, toMs: number): ClockSql {
  const periods = workingPeriodsBetween(calendar, new Date(fromMs), new Date(toMs))
  // Constant arrays, bound once per statement: period starts and ends, and the working time
  // accumulated by each period's end. Milliseconds (exact as JS numbers; the client quotes
  // strings in arrays), turned into nanoseconds in SQL, where constant folding does it once.
  // Per row, an instant is placed by one linear scan (arrayFirstIndex) over the period ends:
  // no array is built per row.
  let total = 0
  const cumulativeEndsMs = periods.map(([a, b]) => (total += b - a))
  const starts = 'arrayMap(x -> x * 1000000, {calendarStartsMs:Array(Int64)})'
  const ends = 'arrayMap(x -> x * 1000000, {calendarEndsMs:Array(Int64)})'
  const worked = 'arrayMap(x -> x * 1000000, {calendarWorkedMs:Array(Int64)})'
  // Array functions refuse Nullable lambdas: callers filter NULL instants out (a NULL start has
  // no deadline), so here they read as 0 and their result is never used.
  const nn = (x: string): string => `assumeNotNull(${x})`
  // Working time from the first period's start up to instant t: the periods ended before t,
  // plus the part of the one t falls in (or 0 between periods); all of it past the last period.
  const before = (t: string): string =>
    `if(arrayFirstIndex(e -> e > ${t}, ${ends}) AS i_${idOf(t)} = 0, arrayElement(${worked}, -1),
        arrayElement(${worked}, i_${idOf(t)}) - (arrayElement(${ends}, i_${idOf(t)}) - greatest(arrayElement(${starts}, i_${idOf(t)}), least(${t}, arrayElement(${ends}, i_${idOf(t)})))))`
  return {
    between: (rawFrom, rawTo) => `(${before(nn(rawTo))} - ${before(nn(rawFrom))})`,
    after: (rawFrom, duration) => {
      const target = `(${before(nn(rawFrom))} + ${duration})`
      // The first period whose accumulated end reaches the target holds the instant; NULL past the periods.
      return `if(arrayFirstIndex(w -> w >= ${target}, ${worked}) AS j_${idOf(rawFrom + duration)} = 0, NULL,
        toNullable(arrayElement(${ends}, j_${idOf(rawFrom + duration)}) - (arrayElement(${worked}, j_${idOf(rawFrom + duration)}) - ${target})))`
    },
    params: { calendarStartsMs: periods.map(([a]) => a), calendarEndsMs: periods.map(([, b]) => b), calendarWorkedMs: cumulativeEndsMs },
  }
}

/** A short alias suffix for an expression, so its scan is computed once where it is used twice. */
function idOf(expression: string): string {
  let h = 0
  for (let i = 0; i < expression.length; i++) h = (Math.imul(h, 31) + expression.charCodeAt(i)) >>> 0
  return h.toString(36)
}

export function clockSql(clock: Clock, calendar: BusinessCalendar, fromMs: number, toMs: number): ClockSql {
  return clock === 'wall' || calendar.kind === 'always_open' ? wallClockSql : businessClockSql(calendar, fromMs, toMs)
}

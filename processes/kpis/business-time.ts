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
  // Two parallel arrays of milliseconds (exact as JS numbers; the client quotes strings in
  // arrays and writes nested arrays, not tuples), turned into (start, end) ns pairs in SQL.
  const p = 'arrayZip(arrayMap(x -> x * 1000000, {calendarStartsMs:Array(Int64)}), arrayMap(x -> x * 1000000, {calendarEndsMs:Array(Int64)}))'
  // Array functions refuse Nullable lambdas: callers filter NULL instants out (a NULL start has
  // no deadline), so here they read as 0 and their result is never used.
  const nn = (x: string): string => `assumeNotNull(${x})`
  // Working time from the first period's start up to instant t.
  const before = (t: string) => `arraySum(p -> greatest(0, least(${t}, p.2) - p.1), ${p})`
  return {
    between: (rawFrom, rawTo) => {
      const [from, to] = [nn(rawFrom), nn(rawTo)]
      return `(arraySum(p -> greatest(0, least(${to}, p.2) - greatest(${from}, p.1)), ${p}) - arraySum(p -> greatest(0, least(${from}, p.2) - greatest(${to}, p.1)), ${p}))`
    },
    after: (rawFrom, duration) => {
      const from = nn(rawFrom)
      return `arrayFirst(x -> x IS NOT NULL, arrayMap((p, c) -> if(c >= ${before(from)} + ${duration}, toNullable(p.2 - (c - (${before(from)} + ${duration}))), NULL), ${p}, arrayCumSum(arrayMap(p -> p.2 - p.1, ${p}))))`
    },
    params: { calendarStartsMs: periods.map(([a]) => a), calendarEndsMs: periods.map(([, b]) => b) },
  }
}

export function clockSql(clock: Clock, calendar: BusinessCalendar, fromMs: number, toMs: number): ClockSql {
  return clock === 'wall' || calendar.kind === 'always_open' ? wallClockSql : businessClockSql(calendar, fromMs, toMs)
}

// grafanaSql() places a KPI's bound parameters on Grafana's time range, variables and
// literals, and refuses what it cannot place; the macro expansion mirrors the ClickHouse
// plugin's (pkg/macros/macros.go). Expected texts are written out by hand from those rules.
import { describe, expect, it } from 'vitest'
import {
  expandMacros,
  expression,
  grafanaQueryText,
  grafanaSql,
  GrafanaSqlError,
  interpolateVariables,
  PROBE_WINDOWS,
  variable,
} from '../../dashboards/index.ts'

const DAY_NS = 86_400_000_000_000n

describe('grafanaSql', () => {
  it('writes window instants on the macros, with the offset the KPI adds', () => {
    // A KPI reading events from 90 days before the window to 1 ns after its end ("now").
    const sql = grafanaSql((w) => ({
      sql: 'SELECT 1 WHERE t >= {from:Int64} AND t < {to:Int64} AND s >= {windowFrom:Int64}',
      params: { from: (w.fromNs - 90n * DAY_NS).toString(), to: w.toNs + 1n, windowFrom: w.fromNs.toString() },
    }))
    // 90 days = 90 x 86,400 x 1e9 ns = 7,776,000,000,000,000.
    expect(sql).toBe(
      'SELECT 1 WHERE t >= CAST((toUnixTimestamp64Nano($__fromTime_ms) - 7776000000000000) AS Int64)' +
        ' AND t < CAST((toUnixTimestamp64Nano($__toTime_ms) + 1) AS Int64)' +
        ' AND s >= CAST(toUnixTimestamp64Nano($__fromTime_ms) AS Int64)',
    )
  })

  it('writes constants as literals of the declared type, quotes escaped', () => {
    const sql = grafanaSql(() => ({
      sql: 'SELECT {name:String}, {n:UInt32}, {q:Float64}, {on:Bool}, {ms:Array(String)}, {t:Map(String, Int64)}, {e:Map(String, String)}',
      params: { name: "o'brien\\x", n: 100, q: 0.9, on: true, ms: ['a', 'b'], t: { 'opportunity.won': 14_400_000 }, e: {} },
    }))
    expect(sql).toBe(
      "SELECT CAST('o\\'brien\\\\x' AS String), CAST(100 AS UInt32), CAST(0.9 AS Float64), CAST(true AS Bool)," +
        " CAST(['a', 'b'] AS Array(String)), CAST(map('opportunity.won', 14400000) AS Map(String, Int64)), CAST(map() AS Map(String, String))",
    )
  })

  it('puts a bound variable in as ${name:sqlstring} and an expression in parentheses', () => {
    const sql = grafanaSql(() => ({ sql: 'SELECT {tenant:String}, {k:UInt32}', params: { tenant: '', k: 5 } }), {
      tenant: variable('tenant'),
      k: expression('intDiv($__interval_s, 60)'),
    })
    expect(sql).toBe('SELECT ${tenant:sqlstring}, (intDiv($__interval_s, 60))')
  })

  it('refuses a parameter that moves with the range but is no instant, naming it', () => {
    // A bucket count: 7 in the first probe window, 30 in the second.
    const render = (w: { fromNs: bigint; toNs: bigint }) => ({
      sql: 'SELECT * FROM numbers({buckets:UInt32})',
      params: { buckets: Number((w.toNs - w.fromNs) / DAY_NS) },
    })
    expect(() => grafanaSql(render)).toThrow(GrafanaSqlError)
    expect(() => grafanaSql(render)).toThrow(/parameter buckets: changes with the time range \(7 \/ 30\)/)
    expect(grafanaSql(render, { buckets: expression('7') })).toBe('SELECT * FROM numbers((7))')
  })

  it('refuses a parameter without a value, a type it cannot write, a binding the SQL lacks, and SQL that changes with the range', () => {
    expect(() => grafanaSql(() => ({ sql: 'SELECT {x:String}', params: {} }))).toThrow(/parameter x: is in the SQL but has no value/)
    expect(() => grafanaSql(() => ({ sql: 'SELECT {d:Decimal(18, 6)}', params: { d: '1.5' } }))).toThrow(
      /parameter d: type Decimal\(18, 6\) has no literal form/,
    )
    expect(() => grafanaSql(() => ({ sql: 'SELECT 1', params: {} }), { tenant: variable('tenant') })).toThrow(/parameter tenant: bound but not in the SQL/)
    expect(() => grafanaSql((w) => ({ sql: `SELECT ${w.fromNs}`, params: {} }))).toThrow(/the SQL text itself changes/)
  })

  it('uses two probe windows of different lengths, so start and end offsets cannot be confused', () => {
    const [a, b] = PROBE_WINDOWS
    expect(a.toNs - a.fromNs).not.toBe(b.toNs - b.fromNs)
  })
})

describe('the ClickHouse plugin macros and Grafana variables, as Grafana sends a query', () => {
  // 2026-11-29T08:00:00.123Z and 10:00:00.999Z: 1764403200123 and 1764410400999 ms.
  const context = { fromMs: 1_764_403_200_123, toMs: 1_764_410_400_999, intervalMs: 30_500, variables: { process: ['lead_to_cash', "o'c"], tenant: '' } }

  it('expands the time macros to whole seconds (DateTime) or milliseconds (DateTime64)', () => {
    expect(expandMacros('$__fromTime $__toTime $__fromTime_ms $__toTime_ms $__interval_s', context)).toBe(
      'toDateTime(1764403200) toDateTime(1764410400) fromUnixTimestamp64Milli(1764403200123) fromUnixTimestamp64Milli(1764410400999) 30',
    )
    expect(expandMacros('WHERE $__timeFilter(At) AND $__timeFilter_ms( Ts )', context)).toBe(
      'WHERE At >= toDateTime(1764403200) AND At <= toDateTime(1764410400) AND Ts >= fromUnixTimestamp64Milli(1764403200123) AND Ts <= fromUnixTimestamp64Milli(1764410400999)',
    )
  })

  it('refuses a macro the plugin does not have', () => {
    expect(() => expandMacros('SELECT $__timeGroup(t)', context)).toThrow(/\$__timeGroup is not a macro of grafana-clickhouse-datasource/)
  })

  it('formats variables as Grafana does: sqlstring quotes and doubles quotes, an unknown variable stays', () => {
    expect(interpolateVariables('[${process:sqlstring}] ${tenant:sqlstring} ${nope} $__fromTime', context.variables)).toBe(
      "['lead_to_cash','o''c'] '' ${nope} $__fromTime",
    )
    expect(grafanaQueryText("SELECT ${tenant:sqlstring} = '' AND t < $__toTime", context)).toBe("SELECT '' = '' AND t < toDateTime(1764410400)")
  })
})

// A KPI's rendered query -> the SQL a Grafana panel sends through the official ClickHouse
// plugin (grafana-clickhouse-datasource). The plugin binds no `{name:Type}` parameters: it
// expands its macros ($__fromTime_ms, ...) on the backend after Grafana has interpolated its
// template variables (${process:sqlstring}, ...) as text. So each bound parameter becomes a
// macro expression, a template variable or a typed literal, and one it cannot place is an error.
//
// The KPI renders its query twice, for two probe windows of different lengths far from any
// real data (in 2200). A parameter equal in both renders is a constant of the definition and
// is written as a literal of its declared type. One that moves with the window must be an
// instant: the window's start or end (the end is also "now") plus a fixed offset (a lookback,
// a horizon, +1 ns), written on $__fromTime_ms / $__toTime_ms. Anything else that moves (a
// bucket count, business-calendar periods) must be bound explicitly, or rendering fails.
import type { KpiQuery } from '../processes/index.ts'

export interface ProbeWindow {
  readonly fromNs: bigint
  readonly toNs: bigint
}

const DAY_NS = 86_400n * 1_000_000_000n
const Y2200_NS = 7_258_118_400n * 1_000_000_000n // 2200-01-01T00:00:00Z

/** A 7-day and a 30-day window: both ends move between them, and by different amounts. */
export const PROBE_WINDOWS: readonly [ProbeWindow, ProbeWindow] = [
  { fromNs: Y2200_NS, toNs: Y2200_NS + 7n * DAY_NS },
  { fromNs: Y2200_NS + 59n * DAY_NS, toNs: Y2200_NS + 89n * DAY_NS },
]

/** How a parameter is written for Grafana when the probes cannot tell. */
export type GrafanaBinding =
  /** A template variable, as `${name:sqlstring}`: quoted, quotes doubled (a String parameter). */
  | { readonly kind: 'variable'; readonly name: string }
  /** Any SQL expression, typically over macros or variables; written as given. */
  | { readonly kind: 'expression'; readonly sql: string }

export const variable = (name: string): GrafanaBinding => ({ kind: 'variable', name })
export const expression = (sql: string): GrafanaBinding => ({ kind: 'expression', sql })

/** The window's ends in the plugin's macros, as Int64 nanoseconds. */
const WINDOW_START_NS = 'toUnixTimestamp64Nano($__fromTime_ms)'
const WINDOW_END_NS = 'toUnixTimestamp64Nano($__toTime_ms)'

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g

export class GrafanaSqlError extends Error {
  readonly parameter: string
  constructor(parameter: string, message: string) {
    super(`parameter ${parameter}: ${message}`)
    this.name = 'GrafanaSqlError'
    this.parameter = parameter
  }
}

function integerOf(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
  if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) return BigInt(value)
  return undefined
}

function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

const INTEGER_TYPE = /^U?Int(8|16|32|64|128|256)$/
const FLOAT_TYPE = /^Float(32|64)$/

/** Splits `A, B` at the top-level comma (Map(String, Array(String)) has nested ones). */
function splitTypeArguments(args: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < args.length; i++) {
    const c = args[i]
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ',' && depth === 0) {
      parts.push(args.slice(start, i).trim())
      start = i + 1
    }
  }
  parts.push(args.slice(start).trim())
  return parts
}

/** A ClickHouse literal of `type` for `value`; the element literals of arrays and maps are bare. */
function bareLiteral(name: string, type: string, value: unknown): string {
  if (type === 'String') {
    if (typeof value !== 'string') throw new GrafanaSqlError(name, `a String parameter holds ${typeof value}`)
    return stringLiteral(value)
  }
  if (INTEGER_TYPE.test(type)) {
    const n = integerOf(value)
    if (n === undefined) throw new GrafanaSqlError(name, `an ${type} parameter holds ${JSON.stringify(String(value))}`)
    return n.toString()
  }
  if (type === 'Bool') {
    if (typeof value !== 'boolean') throw new GrafanaSqlError(name, `a Bool parameter holds ${typeof value}`)
    return value ? 'true' : 'false'
  }
  if (FLOAT_TYPE.test(type)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new GrafanaSqlError(name, `a ${type} parameter holds ${String(value)}`)
    return String(value)
  }
  const array = /^Array\((.+)\)$/.exec(type)
  if (array !== null) {
    if (!Array.isArray(value)) throw new GrafanaSqlError(name, `an ${type} parameter holds no array`)
    return `[${value.map((v: unknown) => bareLiteral(name, array[1]!, v)).join(', ')}]`
  }
  const map = /^Map\((.+)\)$/.exec(type)
  if (map !== null) {
    const [keyType, valueType] = splitTypeArguments(map[1]!)
    if (keyType === undefined || valueType === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new GrafanaSqlError(name, `a ${type} parameter holds no object`)
    }
    const entries = Object.entries(value).flatMap(([k, v]) => [bareLiteral(name, keyType, k), bareLiteral(name, valueType, v)])
    return `map(${entries.join(', ')})`
  }
  throw new GrafanaSqlError(name, `type ${type} has no literal form here`)
}

/** The literal, cast to the declared type so it types as the bound parameter did. */
export function typedLiteral(name: string, type: string, value: unknown): string {
  return `CAST(${bareLiteral(name, type, value)} AS ${type})`
}

function sameValue(a: unknown, b: unknown): boolean {
  return (
    JSON.stringify(a, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ===
    JSON.stringify(b, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  )
}

/** An instant that moves with the window: its end or start plus one offset in both probes. */
function instantExpression(first: unknown, second: unknown): string | undefined {
  const [a, b] = [integerOf(first), integerOf(second)]
  if (a === undefined || b === undefined) return undefined
  const [p, q] = PROBE_WINDOWS
  const anchors: ReadonlyArray<readonly [(w: ProbeWindow) => bigint, string]> = [
    // End first: "now" is the window's end, so an instant on the end is the end's.
    [(w) => w.toNs, WINDOW_END_NS],
    [(w) => w.fromNs, WINDOW_START_NS],
  ]
  for (const [anchor, expr] of anchors) {
    const offset = a - anchor(p)
    if (b - anchor(q) !== offset) continue
    if (offset === 0n) return expr
    return `(${expr} ${offset < 0n ? '-' : '+'} ${(offset < 0n ? -offset : offset).toString()})`
  }
  return undefined
}

/**
 * The panel SQL of a KPI query. `render` is called with each probe window (and "now" at its
 * end); `bindings` place the parameters the probes cannot: template variables and expressions.
 */
export function grafanaSql(render: (window: ProbeWindow) => KpiQuery, bindings: Readonly<Record<string, GrafanaBinding>> = {}): string {
  const first = render(PROBE_WINDOWS[0])
  const second = render(PROBE_WINDOWS[1])
  if (first.sql !== second.sql) throw new GrafanaSqlError('(sql)', 'the SQL text itself changes with the time range; only parameters may')
  const unused = Object.keys(bindings).filter((name) => !first.sql.includes(`{${name}:`))
  if (unused.length > 0) throw new GrafanaSqlError(unused.join(', '), 'bound but not in the SQL')
  return first.sql.replace(PLACEHOLDER, (_, name: string, type: string) => {
    const binding = bindings[name]
    if (binding !== undefined) return binding.kind === 'variable' ? `\${${binding.name}:sqlstring}` : `(${binding.sql})`
    if (!(name in first.params)) throw new GrafanaSqlError(name, 'is in the SQL but has no value')
    const [a, b] = [first.params[name], second.params[name]]
    if (sameValue(a, b)) return typedLiteral(name, type, a)
    const instant = instantExpression(a, b)
    if (instant !== undefined) return `CAST(${instant} AS ${type})`
    throw new GrafanaSqlError(
      name,
      `changes with the time range (${String(a)} / ${String(b)}) but is no fixed offset from its start or end; bind it to a Grafana expression`,
    )
  })
}

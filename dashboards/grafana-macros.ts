// What becomes of a panel's SQL on its way to ClickHouse, step for step as Grafana does it:
// the frontend interpolates template variables (${name}, ${name:sqlstring}, $name), then the
// plugin's backend (grafana-clickhouse-datasource, pkg/macros/macros.go, matched by sqlds as
// `\$__name\b` plus an optional argument list) expands its macros. Tests run the result on
// chDB; the ClickHouse HTTP endpoint's tests can use it to send what Grafana would send.
export interface GrafanaQueryContext {
  /** The dashboard's time range, epoch milliseconds. */
  readonly fromMs: number
  readonly toMs: number
  /** The panel's interval ($__interval), milliseconds. */
  readonly intervalMs: number
  /** Current values of the template variables; an array for a multi-value one. */
  readonly variables: Readonly<Record<string, string | readonly string[]>>
}

type VariableFormat = (values: readonly string[]) => string

// Grafana's formats (public/app/features/templating/formatRegistry): sqlstring doubles quotes
// and quotes each value, singlequote backslash-escapes them, csv and raw join with commas.
const FORMATS: Readonly<Record<string, VariableFormat>> = {
  sqlstring: (values) => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(','),
  singlequote: (values) => values.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(','),
  csv: (values) => values.join(','),
  raw: (values) => values.join(','),
  // No format: a single value as is, several as a glob ({a,b}).
  '': (values) => (values.length === 1 ? values[0]! : `{${values.join(',')}}`),
}

/** Grafana's template interpolation; an unknown variable is left as written, as Grafana does. */
export function interpolateVariables(sql: string, variables: GrafanaQueryContext['variables']): string {
  return sql.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, format?: string, bare?: string) => {
      const name = braced ?? bare ?? ''
      if (name.startsWith('__')) return whole // $__macros are the plugin's
      const value = variables[name]
      if (value === undefined) return whole
      const formatter = FORMATS[format ?? '']
      if (formatter === undefined) throw new Error(`variable ${name}: format ${format ?? ''} is not one Grafana has here`)
      return formatter(typeof value === 'string' ? [value] : value)
    },
  )
}

const seconds = (ms: number): number => Math.floor(ms / 1000)
const dateTime = (ms: number): string => `toDateTime(${seconds(ms)})`
const dateTime64 = (ms: number): string => `fromUnixTimestamp64Milli(${Math.trunc(ms)})`
const date = (ms: number): string => `toDate('${new Date(ms).toISOString().slice(0, 10)}')`

type Macro = (context: GrafanaQueryContext, args: readonly string[]) => string

function oneArgument(name: string, args: readonly string[]): string {
  if (args.length !== 1 || args[0] === '') throw new Error(`$__${name}: expected 1 argument, received ${args.length}`)
  return args[0]!
}

const MACROS: Readonly<Record<string, Macro>> = {
  fromTime: (c) => dateTime(c.fromMs),
  toTime: (c) => dateTime(c.toMs),
  fromTime_ms: (c) => dateTime64(c.fromMs),
  toTime_ms: (c) => dateTime64(c.toMs),
  timeFilter: (c, a) => {
    const column = oneArgument('timeFilter', a)
    return `${column} >= ${dateTime(c.fromMs)} AND ${column} <= ${dateTime(c.toMs)}`
  },
  timeFilter_ms: (c, a) => {
    const column = oneArgument('timeFilter_ms', a)
    return `${column} >= ${dateTime64(c.fromMs)} AND ${column} <= ${dateTime64(c.toMs)}`
  },
  dateFilter: (c, a) => {
    const column = oneArgument('dateFilter', a)
    return `${column} >= ${date(c.fromMs)} AND ${column} <= ${date(c.toMs)}`
  },
  timeInterval: (c, a) => `toStartOfInterval(toDateTime(${oneArgument('timeInterval', a)}), INTERVAL ${Math.max(seconds(c.intervalMs), 1)} second)`,
  timeInterval_ms: (c, a) =>
    `toStartOfInterval(toDateTime64(${oneArgument('timeInterval_ms', a)}, 3), INTERVAL ${Math.max(Math.trunc(c.intervalMs), 1)} millisecond)`,
  interval_s: (c) => String(Math.max(seconds(c.intervalMs), 1)),
}

/** The macros of grafana-clickhouse-datasource, without their `$__`. */
export const PLUGIN_MACROS: readonly string[] = Object.keys(MACROS)

/** The bracketed argument list at the start of `rest`, as sqlds parses it: [args, length]. */
function argumentsAt(rest: string): [string[], number] {
  if (!rest.startsWith('(')) return [[], 0]
  let depth = 0
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '(') depth++
    else if (rest[i] === ')' && --depth === 0) {
      const inner = rest.slice(1, i).trim()
      return [inner === '' ? [] : inner.split(',').map((a) => a.trim()), i + 1]
    }
  }
  throw new Error('macro arguments: missing close bracket')
}

/** The plugin's macro expansion; a $__name it does not know is an error (ClickHouse would fail on it). */
export function expandMacros(sql: string, context: GrafanaQueryContext): string {
  let out = ''
  let at = 0
  for (const match of sql.matchAll(/\$__([A-Za-z_][A-Za-z0-9_]*)\b/g)) {
    const name = match[1]!
    const macro = MACROS[name]
    if (macro === undefined) throw new Error(`$__${name} is not a macro of grafana-clickhouse-datasource`)
    const start = match.index
    if (start < at) continue
    const [args, length] = argumentsAt(sql.slice(start + match[0].length))
    out += sql.slice(at, start) + macro(context, args)
    at = start + match[0].length + length
  }
  return out + sql.slice(at)
}

/** The SQL ClickHouse receives for a panel's SQL: variables first, then macros. */
export function grafanaQueryText(sql: string, context: GrafanaQueryContext): string {
  return expandMacros(interpolateVariables(sql, context.variables), context)
}

// The values a step's placeholders are bound to: the alert's labels (as String) and a few
// built-ins for its identity and time window. Values travel as query parameters, so a label
// holding a quote or SQL is only ever a value; nothing here builds SQL text.
import type { AlertContext, QueryParameter } from './model.ts'

type BuiltInValue = (alert: AlertContext, type: string) => string | undefined

interface BuiltIn {
  /** The types the placeholder may be declared with. */
  readonly types: RegExp
  readonly typesText: string
  readonly value: BuiltInValue
}

const TIME_TYPES = /^(?:DateTime64\(\s*[0-9]\s*(?:,\s*'[^']*'\s*)?\)|DateTime(?:\(\s*'[^']*'\s*\))?)$/
const TIME_TYPES_TEXT = "DateTime64(3), DateTime64(3, 'UTC') or DateTime"
const STRING_TYPE = /^String$/

/**
 * A time as ClickHouse reads it for DateTime64 and DateTime alike, whatever the session time
 * zone: Unix seconds, with milliseconds for DateTime64.
 */
export function unixTimeText(rfc3339: string, type: string): string | undefined {
  const ms = Date.parse(rfc3339)
  if (!Number.isFinite(ms) || ms < 0) return undefined
  const seconds = Math.floor(ms / 1000)
  return type.startsWith('DateTime64') ? `${seconds}.${String(ms % 1000).padStart(3, '0')}` : String(seconds)
}

const time =
  (pick: (alert: AlertContext) => string): BuiltInValue =>
  (alert, type) =>
    unixTimeText(pick(alert), type)

/** Placeholders every step may use besides the rule's labels; they win over a label of the same name. */
export const BUILT_IN_PARAMETERS: Readonly<Record<string, BuiltIn>> = {
  window_start: { types: TIME_TYPES, typesText: TIME_TYPES_TEXT, value: time((a) => a.windowStart) },
  window_end: { types: TIME_TYPES, typesText: TIME_TYPES_TEXT, value: time((a) => a.windowEnd) },
  fired_at: { types: TIME_TYPES, typesText: TIME_TYPES_TEXT, value: time((a) => a.firedAt) },
  rule_id: { types: STRING_TYPE, typesText: 'String', value: (a) => a.ruleId },
  fingerprint: { types: STRING_TYPE, typesText: 'String', value: (a) => a.fingerprint },
  episode_id: { types: STRING_TYPE, typesText: 'String', value: (a) => a.episodeId },
}

export const isBuiltIn = (name: string): boolean => Object.hasOwn(BUILT_IN_PARAMETERS, name)

/** Why a placeholder's declared type cannot work, or undefined when it can. */
export function parameterTypeProblem(parameter: Pick<QueryParameter, 'name' | 'type'>): string | undefined {
  const builtIn = Object.hasOwn(BUILT_IN_PARAMETERS, parameter.name) ? BUILT_IN_PARAMETERS[parameter.name] : undefined
  if (builtIn !== undefined) {
    return builtIn.types.test(parameter.type) ? undefined : `{${parameter.name}} is declared ${parameter.type}; declare it as ${builtIn.typesText}`
  }
  return STRING_TYPE.test(parameter.type)
    ? undefined
    : `label parameters are String (label values are text): write {${parameter.name}:String} and convert in SQL, e.g. toUInt32OrZero({${parameter.name}:String})`
}

export type BoundParameters = { readonly ok: true; readonly params: Readonly<Record<string, string>> } | { readonly ok: false; readonly message: string }

/** The values for `parameters` from the alert, or why one cannot be had. */
export function bindParameters(parameters: readonly QueryParameter[], alert: AlertContext): BoundParameters {
  const params: Record<string, string> = {}
  for (const parameter of parameters) {
    const typeProblem = parameterTypeProblem(parameter)
    if (typeProblem !== undefined) return { ok: false, message: typeProblem }
    const builtIn = Object.hasOwn(BUILT_IN_PARAMETERS, parameter.name) ? BUILT_IN_PARAMETERS[parameter.name] : undefined
    const value =
      builtIn !== undefined ? builtIn.value(alert, parameter.type) : Object.hasOwn(alert.labels, parameter.name) ? alert.labels[parameter.name] : undefined
    if (value === undefined) {
      return {
        ok: false,
        message:
          builtIn !== undefined
            ? `the alert's ${parameter.name} is not an RFC 3339 time`
            : `the alert has no label '${parameter.name}' (the step binds {${parameter.name}:${parameter.type}})`,
      }
    }
    params[parameter.name] = value
  }
  return { ok: true, params }
}

/**
 * An alert with every given label, for checking statements (EXPLAIN) before any alert exists.
 * Labels are '0': EXPLAIN folds constants, and '0' converts to a number as well as it compares
 * as text, so toUInt32({n:String}) does not fail the check.
 */
export function placeholderAlert(labels: readonly string[]): AlertContext {
  return {
    ruleId: 'placeholder',
    fingerprint: 'placeholder',
    episodeId: 'placeholder',
    labels: Object.fromEntries(labels.map((name) => [name, '0'])),
    windowStart: '2026-01-01T00:00:00.000Z',
    windowEnd: '2026-01-01T01:00:00.000Z',
    firedAt: '2026-01-01T01:00:00.000Z',
  }
}

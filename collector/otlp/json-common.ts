// Reading OTLP/JSON as leniently as the OpenTelemetry Collector's receiver: lowerCamelCase or
// snake_case keys, null as absent, 64-bit integers as strings or numbers, enums as numbers or
// names. A value of the wrong type makes the request unreadable (JsonShapeError with its path).
import type { AttributeMap } from '../../store/index.ts'
import { EMPTY_ATTRIBUTES, formatDouble, jsonDouble, jsonObject, jsonString, newRecordAttributes, setAttribute } from './attribute-text.ts'

export type JsonObject = Readonly<Record<string, unknown>>

/** Thrown inside the JSON mappers only; the index turns it into an 'invalid_otlp_json' failure. */
export class JsonShapeError extends Error {
  readonly path: string
  readonly problem: string
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`)
    this.name = 'JsonShapeError'
    this.path = path
    this.problem = problem
  }

  /** The same error seen from the enclosing value, so the final message names the full path. */
  within(prefix: string): JsonShapeError {
    return new JsonShapeError(this.path === '' ? prefix : `${prefix}.${this.path}`, this.problem)
  }
}

/** For a catch block: a shape error re-rooted at the enclosing element, anything else as is. */
export function within(error: unknown, prefix: string): unknown {
  return error instanceof JsonShapeError ? error.within(prefix) : error
}

/** Runs `read` for one element, prefixing any shape error with where the element sits. */
export function at<T>(prefix: string, read: () => T): T {
  try {
    return read()
  } catch (error) {
    throw within(error, prefix)
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A field under its lowerCamelCase or snake_case name; null counts as absent. */
export function field(o: JsonObject, camel: string, snake: string = camel): unknown {
  const value = o[camel]
  if (value !== undefined && value !== null) return value
  if (snake === camel) return undefined
  const other = o[snake]
  return other === null ? undefined : other
}

export function objectField(o: JsonObject, camel: string, snake?: string): JsonObject | undefined {
  const value = field(o, camel, snake)
  if (value === undefined || isObject(value)) return value
  throw new JsonShapeError(camel, `expected an object, got ${typeName(value)}`)
}

export function arrayField(o: JsonObject, camel: string, snake?: string): readonly unknown[] {
  const value = field(o, camel, snake)
  if (value === undefined) return []
  if (Array.isArray(value)) return value
  throw new JsonShapeError(camel, `expected an array, got ${typeName(value)}`)
}

export function stringField(o: JsonObject, camel: string, snake?: string): string {
  const value = field(o, camel, snake)
  if (value === undefined) return ''
  if (typeof value === 'string') return value
  throw new JsonShapeError(camel, `expected a string, got ${typeName(value)}`)
}

function typeName(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`
}

const UNSIGNED = /^\d+$/
const SIGNED = /^-?\d+$/

/**
 * A fixed64 timestamp: a decimal string or a JSON number. Values past 2^64 are kept as they are
 * so that validation can reject the one record with a clear reason instead of the request.
 */
export function uint64Field(o: JsonObject, camel: string, snake: string): bigint {
  const value = field(o, camel, snake)
  if (value === undefined) return 0n
  if (typeof value === 'string' && UNSIGNED.test(value)) return BigInt(value)
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value)
  throw new JsonShapeError(camel, `expected an unsigned integer (a decimal string or number), got ${JSON.stringify(value)}`)
}

/** A fixed32 or uint32 field (flags): a number or a decimal string. */
export function uint32Field(o: JsonObject, camel: string, snake?: string): number {
  const value = field(o, camel, snake)
  if (value === undefined) return 0
  const n = typeof value === 'string' && UNSIGNED.test(value) ? Number(value) : value
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff) return n
  throw new JsonShapeError(camel, `expected an unsigned 32-bit integer, got ${JSON.stringify(value)}`)
}

/** An enum as its number or its name (`SPAN_KIND_CLIENT`), both of which the Collector accepts. */
export function enumField(o: JsonObject, camel: string, snake: string, names: ReadonlyMap<string, number>): number {
  const value = field(o, camel, snake)
  if (value === undefined) return 0
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'string') {
    const n = names.get(value)
    if (n !== undefined) return n
  }
  throw new JsonShapeError(camel, `expected an enum number or name, got ${JSON.stringify(value)}`)
}

/**
 * A trace or span id: hex per the OTLP/JSON spec, case-insensitive. Anything else is carried
 * through as text so that validation rejects that one record, not the whole request.
 */
export function idField(o: JsonObject, camel: string, snake: string): string {
  const value = field(o, camel, snake)
  if (value === undefined) return ''
  return typeof value === 'string' ? value.toLowerCase() : JSON.stringify(value)
}

function int64Text(value: unknown): string {
  if (typeof value === 'number' && Number.isInteger(value)) {
    const text = Number.isSafeInteger(value) ? String(value) : BigInt(value).toString()
    if (BigInt.asIntN(64, BigInt(text)) === BigInt(text)) return text
  } else if (typeof value === 'string' && SIGNED.test(value)) {
    const n = BigInt(value)
    if (BigInt.asIntN(64, n) === n) return n.toString()
  }
  throw new JsonShapeError('intValue', `expected a 64-bit integer, got ${JSON.stringify(value)}`)
}

function doubleValue(value: unknown): number {
  if (typeof value === 'number') return value
  // Proto3 JSON allows doubles as strings, which is the only way to send NaN and the infinities.
  if (typeof value === 'string') {
    if (value === 'NaN') return Number.NaN
    if (value === 'Infinity') return Number.POSITIVE_INFINITY
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY
    const n = Number(value)
    if (value.trim() !== '' && !Number.isNaN(n)) return n
  }
  throw new JsonShapeError('doubleValue', `expected a number, got ${JSON.stringify(value)}`)
}

function base64Text(value: unknown): string {
  if (typeof value !== 'string') throw new JsonShapeError('bytesValue', `expected a base64 string, got ${typeName(value)}`)
  // Accepts the URL-safe alphabet and missing padding too; stored as standard base64, as pdata does.
  return Buffer.from(value, 'base64').toString('base64')
}

function boolText(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  throw new JsonShapeError('boolValue', `expected a boolean, got ${typeName(value)}`)
}

const MAX_VALUE_DEPTH = 64

/** An AnyValue object as its attribute text (see attribute-text.ts); absent or empty gives ''. */
export function anyValueText(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (!isObject(value)) throw new JsonShapeError('', `expected an AnyValue object, got ${typeName(value)}`)
  let v = field(value, 'stringValue', 'string_value')
  if (v !== undefined) {
    if (typeof v === 'string') return v
    throw new JsonShapeError('stringValue', `expected a string, got ${typeName(v)}`)
  }
  if ((v = field(value, 'boolValue', 'bool_value')) !== undefined) return boolText(v)
  if ((v = field(value, 'intValue', 'int_value')) !== undefined) return int64Text(v)
  if ((v = field(value, 'doubleValue', 'double_value')) !== undefined) return formatDouble(doubleValue(v))
  if ((v = field(value, 'arrayValue', 'array_value')) !== undefined) return at('arrayValue', () => arrayJson(v, 1)) ?? ''
  if ((v = field(value, 'kvlistValue', 'kvlist_value')) !== undefined) return at('kvlistValue', () => kvlistJson(v, 1)) ?? ''
  if ((v = field(value, 'bytesValue', 'bytes_value')) !== undefined) return base64Text(v)
  return ''
}

/** An AnyValue nested in an array or map, as JSON text; undefined when JSON cannot hold it. */
function anyValueJson(value: unknown, depth: number): string | undefined {
  if (value === undefined || value === null) return 'null'
  if (!isObject(value)) throw new JsonShapeError('', `expected an AnyValue object, got ${typeName(value)}`)
  let v = field(value, 'stringValue', 'string_value')
  if (v !== undefined) {
    if (typeof v === 'string') return jsonString(v)
    throw new JsonShapeError('stringValue', `expected a string, got ${typeName(v)}`)
  }
  if ((v = field(value, 'boolValue', 'bool_value')) !== undefined) return boolText(v)
  if ((v = field(value, 'intValue', 'int_value')) !== undefined) return int64Text(v)
  if ((v = field(value, 'doubleValue', 'double_value')) !== undefined) return jsonDouble(doubleValue(v))
  if ((v = field(value, 'arrayValue', 'array_value')) !== undefined) return at('arrayValue', () => arrayJson(v, depth + 1))
  if ((v = field(value, 'kvlistValue', 'kvlist_value')) !== undefined) return at('kvlistValue', () => kvlistJson(v, depth + 1))
  if ((v = field(value, 'bytesValue', 'bytes_value')) !== undefined) return `"${base64Text(v)}"`
  return 'null'
}

function listValues(value: unknown, depth: number): readonly unknown[] {
  if (depth > MAX_VALUE_DEPTH) throw new JsonShapeError('', `value nested deeper than ${MAX_VALUE_DEPTH} levels`)
  if (!isObject(value)) throw new JsonShapeError('', `expected an object with values, got ${typeName(value)}`)
  return arrayField(value, 'values')
}

function arrayJson(value: unknown, depth: number): string | undefined {
  const items = listValues(value, depth)
  const parts: string[] = []
  for (let i = 0; i < items.length; i++) {
    const item = at(`values[${i}]`, () => anyValueJson(items[i], depth))
    if (item === undefined) return undefined
    parts.push(item)
  }
  return `[${parts.join(',')}]`
}

function kvlistJson(value: unknown, depth: number): string | undefined {
  const items = listValues(value, depth)
  const entries: string[] = []
  for (let i = 0; i < items.length; i++) {
    const kv = items[i]
    if (!isObject(kv)) throw new JsonShapeError(`values[${i}]`, `expected a key/value object, got ${typeName(kv)}`)
    const json = at(`values[${i}]`, () => at('value', () => anyValueJson(field(kv, 'value'), depth)))
    if (json === undefined) return undefined
    entries.push(
      at(`values[${i}]`, () => stringField(kv, 'key')),
      json,
    )
  }
  return jsonObject(entries)
}

/**
 * A repeated KeyValue field flattened into a fresh map (the shared empty map when there is
 * none); `forRecord` for a span's or log record's own attributes (see newRecordAttributes).
 */
export function attributesField(o: JsonObject, forRecord = false): AttributeMap {
  const camel = 'attributes'
  const list = arrayField(o, camel)
  if (list.length === 0) return EMPTY_ATTRIBUTES
  const map: AttributeMap = forRecord ? newRecordAttributes() : {}
  for (let i = 0; i < list.length; i++) {
    const kv = list[i]
    if (!isObject(kv)) throw new JsonShapeError(`${camel}[${i}]`, `expected a key/value object, got ${typeName(kv)}`)
    // Inline try blocks rather than at(): no closure per attribute on this path.
    try {
      const key = stringField(kv, 'key')
      let text: string
      try {
        text = anyValueText(field(kv, 'value'))
      } catch (error) {
        throw within(error, 'value')
      }
      setAttribute(map, key, text)
    } catch (error) {
      throw within(error, `${camel}[${i}]`)
    }
  }
  return map
}

export interface JsonScope {
  readonly name: string
  readonly version: string
  readonly attributes: AttributeMap
}

export function scopeField(o: JsonObject): JsonScope {
  const scope = objectField(o, 'scope')
  if (scope === undefined) return { name: '', version: '', attributes: EMPTY_ATTRIBUTES }
  return at('scope', () => ({ name: stringField(scope, 'name'), version: stringField(scope, 'version'), attributes: attributesField(scope) }))
}

export function resourceAttributesField(o: JsonObject): AttributeMap {
  const resource = objectField(o, 'resource')
  return resource === undefined ? EMPTY_ATTRIBUTES : at('resource', () => attributesField(resource))
}

/** Enum names, from opentelemetry-proto, for the enums OTLP/JSON senders may spell out. */
export const SPAN_KIND_VALUES: ReadonlyMap<string, number> = new Map(
  ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'].map((name, i) => [`SPAN_KIND_${name}`, i]),
)
export const STATUS_CODE_VALUES: ReadonlyMap<string, number> = new Map(['UNSET', 'OK', 'ERROR'].map((name, i) => [`STATUS_CODE_${name}`, i]))
export const SEVERITY_NUMBER_VALUES: ReadonlyMap<string, number> = new Map([
  ['SEVERITY_NUMBER_UNSPECIFIED', 0],
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((level, i) =>
    [1, 2, 3, 4].map((n): [string, number] => [`SEVERITY_NUMBER_${level}${n === 1 ? '' : n}`, i * 4 + n]),
  ),
])

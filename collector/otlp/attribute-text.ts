// How an OTLP AnyValue becomes the String stored in the attribute maps, as the Collector's
// pdata Value.AsString() (used by the contrib ClickHouse exporter) renders it. Shared by the
// protobuf and JSON decoders so that both encodings of one request give identical rows.
import type { AttributeMap } from '../../store/index.ts'

/**
 * A double as pdata renders it: ECMAScript Number-to-String for finite values (Go copies that
 * algorithm), except that Go keeps the sign of negative zero. Go prints NaN and the infinities
 * as a json error text; we keep that text so a value reads the same whoever stored it.
 */
export function formatDouble(value: number): string {
  if (Number.isFinite(value)) return value === 0 && 1 / value < 0 ? '-0' : String(value)
  if (Number.isNaN(value)) return 'json: unsupported value: NaN'
  return value > 0 ? 'json: unsupported value: +Inf' : 'json: unsupported value: -Inf'
}

/**
 * A string as a JSON value the way Go's encoding/json writes it without HTML escaping:
 * JSON.stringify's escapes, plus U+2028 and U+2029 which Go escapes for JavaScript's sake.
 */
export function jsonString(value: string): string {
  const text = JSON.stringify(value)
  return text.includes('\u2028') || text.includes('\u2029') ? text.replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029') : text
}

/** A double nested in an array or map, as a JSON number; undefined when JSON has none (NaN, ±Inf). */
export function jsonDouble(value: number): string | undefined {
  return Number.isFinite(value) ? formatDouble(value) : undefined
}

/** Go compares map keys as UTF-8 bytes; JS compares UTF-16 units, which differ above U+FFFF. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/**
 * A kvlist as Go's json.Marshal writes a map[string]any: keys sorted, a repeated key keeping
 * its last value. `entries` alternates key and already-rendered JSON value.
 */
export function jsonObject(entries: readonly string[]): string {
  const byKey = new Map<string, string>()
  for (let i = 0; i + 1 < entries.length; i += 2) byKey.set(entries[i] as string, entries[i + 1] as string)
  const keys = [...byKey.keys()].sort(compareUtf8)
  let out = '{'
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    if (i > 0) out += ','
    out += `${jsonString(key)}:${byKey.get(key) as string}`
  }
  return `${out}}`
}

/** An attribute map's plain object; a record of its own keeps `__proto__` an ordinary key. */
export function setAttribute(map: AttributeMap, key: string, value: string): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true })
  else map[key] = value
}

export const SPAN_KIND_NAMES = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'] as const
export const STATUS_CODE_NAMES = ['Unset', 'Ok', 'Error'] as const

/** The service.name resource attribute, already flattened, or '' as the exporter writes it. */
export function serviceNameOf(resourceAttributes: AttributeMap): string {
  return resourceAttributes['service.name'] ?? ''
}

/** An all-empty map shared by records that have no attributes, so none allocates its own. */
export const EMPTY_ATTRIBUTES: AttributeMap = Object.freeze({})

/**
 * A fresh map for a span's or log record's own attributes. Instances of a class get V8's
 * in-object slack tracking, so a record's twenty-odd keys land in the object itself rather
 * than in a side array regrown as keys arrive: measured 2x faster to fill than `{}`, and
 * decoding 1.3x faster overall. Only record maps use it, because V8 sizes the class's objects
 * from the first few it sees. Serialises exactly like `{}`.
 */
class RecordAttributes {
  [key: string]: string
}

export function newRecordAttributes(): AttributeMap {
  return new RecordAttributes()
}

// The common/v1 and resource/v1 messages on the wire (AnyValue, KeyValue, Resource,
// InstrumentationScope), read straight into flattened attribute maps. Field numbers come from
// opentelemetry-proto; each constant names the tag byte (field << 3 | wire type) it matches.
import type { AttributeMap } from '../../store/index.ts'
import { EMPTY_ATTRIBUTES, formatDouble, jsonDouble, jsonObject, jsonString, setAttribute } from './attribute-text.ts'
import { WireType, wireTypes, type ProtobufReader } from './wire-reader.ts'

const { varint: VARINT, fixed64: I64, lengthDelimited: LEN, fixed32: I32 } = WireType
export { I32, I64, LEN, VARINT }

// AnyValue { string_value=1, bool_value=2, int_value=3, double_value=4, array_value=5, kvlist_value=6, bytes_value=7 }
const ANY_STRING = 0x0a
const ANY_BOOL = 0x10
const ANY_INT = 0x18
const ANY_DOUBLE = 0x21
const ANY_ARRAY = 0x2a
const ANY_KVLIST = 0x32
const ANY_BYTES = 0x3a
const ANY_VALUE_FIELDS = wireTypes([1, LEN], [2, VARINT], [3, VARINT], [4, I64], [5, LEN], [6, LEN], [7, LEN])
// KeyValue { key=1, value=2 }; ArrayValue { values=1 }; KeyValueList { values=1 }
const KV_KEY = 0x0a
const KV_VALUE = 0x12
const KEY_VALUE_FIELDS = wireTypes([1, LEN], [2, LEN])
const LIST_VALUES = 0x0a
const LIST_FIELDS = wireTypes([1, LEN])
// Resource { attributes=1, dropped_attributes_count=2 }
const RESOURCE_ATTRIBUTES = 0x0a
const RESOURCE_FIELDS = wireTypes([1, LEN], [2, VARINT])
// InstrumentationScope { name=1, version=2, attributes=3, dropped_attributes_count=4 }
const SCOPE_NAME = 0x0a
const SCOPE_VERSION = 0x12
const SCOPE_ATTRIBUTES = 0x1a
const SCOPE_FIELDS = wireTypes([1, LEN], [2, LEN], [3, LEN], [4, VARINT])

/** Arrays and maps inside values may nest; a bound keeps a hostile body off the stack limit. */
const MAX_VALUE_DEPTH = 64

/** An AnyValue message (cursor at its first field, ending at `end`) as its attribute text. */
export function readAnyValueText(r: ProtobufReader, end: number): string {
  let text = ''
  while (r.pos < end) {
    const tag = r.tag()
    switch (tag) {
      case ANY_STRING:
        text = r.string(end)
        break
      case ANY_BOOL:
        text = r.bool() ? 'true' : 'false'
        break
      case ANY_INT:
        text = r.int64Text()
        break
      case ANY_DOUBLE:
        text = formatDouble(r.double())
        break
      case ANY_ARRAY:
        // Go's json.Marshal fails on NaN or ±Inf anywhere inside, and pdata then stores ''.
        text = readArrayJson(r, r.lengthEnd(end), 1) ?? ''
        break
      case ANY_KVLIST:
        text = readKvlistJson(r, r.lengthEnd(end), 1) ?? ''
        break
      case ANY_BYTES:
        text = r.base64(end)
        break
      default:
        r.skipUnknown(tag, end, ANY_VALUE_FIELDS)
    }
  }
  r.expectEnd(end)
  if (text.length > r.longestValueChars) r.longestValueChars = text.length
  return text
}

/** An AnyValue nested in an array or map, as JSON text; undefined when JSON cannot hold it. */
function readAnyValueJson(r: ProtobufReader, end: number, depth: number): string | undefined {
  let json: string | undefined = 'null'
  while (r.pos < end) {
    const tag = r.tag()
    switch (tag) {
      case ANY_STRING:
        json = jsonString(r.string(end))
        break
      case ANY_BOOL:
        json = r.bool() ? 'true' : 'false'
        break
      case ANY_INT:
        json = r.int64Text()
        break
      case ANY_DOUBLE:
        json = jsonDouble(r.double())
        break
      case ANY_ARRAY:
        json = readArrayJson(r, r.lengthEnd(end), depth + 1)
        break
      case ANY_KVLIST:
        json = readKvlistJson(r, r.lengthEnd(end), depth + 1)
        break
      case ANY_BYTES:
        json = `"${r.base64(end)}"`
        break
      default:
        r.skipUnknown(tag, end, ANY_VALUE_FIELDS)
    }
  }
  r.expectEnd(end)
  return json
}

function checkDepth(r: ProtobufReader, depth: number): void {
  if (depth > MAX_VALUE_DEPTH) r.fail(`attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`)
}

function readArrayJson(r: ProtobufReader, end: number, depth: number): string | undefined {
  checkDepth(r, depth)
  let out = '['
  let representable = true
  let first = true
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === LIST_VALUES) {
      const item = readAnyValueJson(r, r.lengthEnd(end), depth)
      if (item === undefined) representable = false
      else {
        out += first ? item : `,${item}`
        first = false
      }
    } else r.skipUnknown(tag, end, LIST_FIELDS)
  }
  r.expectEnd(end)
  return representable ? `${out}]` : undefined
}

function readKvlistJson(r: ProtobufReader, end: number, depth: number): string | undefined {
  checkDepth(r, depth)
  const entries: string[] = []
  let representable = true
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === LIST_VALUES) {
      const kvEnd = r.lengthEnd(end)
      let key = ''
      let value: string | undefined = 'null'
      while (r.pos < kvEnd) {
        const kvTag = r.tag()
        if (kvTag === KV_KEY) key = r.string(kvEnd)
        else if (kvTag === KV_VALUE) value = readAnyValueJson(r, r.lengthEnd(kvEnd), depth)
        else r.skipUnknown(kvTag, kvEnd, KEY_VALUE_FIELDS)
      }
      r.expectEnd(kvEnd)
      if (value === undefined) representable = false
      else entries.push(key, value)
    } else r.skipUnknown(tag, end, LIST_FIELDS)
  }
  r.expectEnd(end)
  return representable ? jsonObject(entries) : undefined
}

/** One length-delimited KeyValue at the cursor, flattened into `map` (a repeated key keeps the last). */
export function readKeyValueInto(r: ProtobufReader, limit: number, map: AttributeMap): void {
  const end = r.lengthEnd(limit)
  let key = ''
  let value = ''
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === KV_KEY) key = r.key(end)
    else if (tag === KV_VALUE) value = readAnyValueText(r, r.lengthEnd(end))
    else r.skipUnknown(tag, end, KEY_VALUE_FIELDS)
  }
  r.expectEnd(end)
  setAttribute(map, key, value)
}

/** A Resource message (length-delimited, at the cursor) merged into `into`. */
export function readResourceInto(r: ProtobufReader, limit: number, into: AttributeMap): void {
  const end = r.lengthEnd(limit)
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === RESOURCE_ATTRIBUTES) readKeyValueInto(r, end, into)
    else r.skipUnknown(tag, end, RESOURCE_FIELDS)
  }
  r.expectEnd(end)
  // A resource sent in parts merges into one map: what counts is the map's size.
  r.noteAttributes(Object.keys(into).length)
}

export interface ScopeFields {
  name: string
  version: string
  attributes: AttributeMap
}

export function emptyScope(): ScopeFields {
  return { name: '', version: '', attributes: EMPTY_ATTRIBUTES }
}

/** An InstrumentationScope (length-delimited, at the cursor) merged into `scope`, as proto merges a repeated message field. */
export function readScopeInto(r: ProtobufReader, limit: number, scope: ScopeFields): void {
  const end = r.lengthEnd(limit)
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === SCOPE_NAME) scope.name = r.string(end)
    else if (tag === SCOPE_VERSION) scope.version = r.string(end)
    else if (tag === SCOPE_ATTRIBUTES) {
      if (scope.attributes === EMPTY_ATTRIBUTES) scope.attributes = {}
      readKeyValueInto(r, end, scope.attributes)
    } else r.skipUnknown(tag, end, SCOPE_FIELDS)
  }
  r.expectEnd(end)
  r.noteAttributes(Object.keys(scope.attributes).length)
}

// Attribute values as text, written one way whatever the format said: XES `<float>`, OCEL
// XML text, OCEL JSON numbers and SQLite REAL columns all give `1.5`; dates become RFC 3339
// in UTC. Without this the same OCEL log read from JSON and from XML would disagree.
import { formatInstant, parseTimestamp } from './timestamp.ts'
import type { TimeZone } from '../../core/time-zone.ts'

export type ValueType = 'string' | 'integer' | 'float' | 'boolean' | 'time'

/** XES element names and OCEL type names -> our value types; unknown types stay text. */
const typeNames: Readonly<Record<string, ValueType>> = {
  string: 'string',
  id: 'string',
  int: 'integer',
  integer: 'integer',
  float: 'float',
  double: 'float',
  real: 'float',
  boolean: 'boolean',
  date: 'time',
  time: 'time',
  timestamp: 'time',
}

export function valueTypeNamed(name: string | undefined): ValueType {
  return typeNames[name?.toLowerCase() ?? ''] ?? 'string'
}

export type SourceValue = string | number | bigint | boolean | null

/** The canonical text of a value, or `{ invalid }` for a date that is not one. */
export function canonicalValue(type: ValueType, value: SourceValue, zone: TimeZone): string | { readonly invalid: string } {
  if (value === null) return ''
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'bigint') return value.toString()
  const text = typeof value === 'number' ? String(value) : value
  switch (type) {
    case 'integer':
      // A REAL column or JSON number may hold an integer as 3.0; anything odd is kept as written.
      if (/^\s*[+-]?\d+\s*$/.test(text)) return BigInt(text.trim()).toString()
      return typeof value === 'number' && Number.isInteger(value) ? BigInt(value).toString() : text
    case 'float': {
      const number = Number(text)
      return text.trim() !== '' && Number.isFinite(number) ? String(number) : text
    }
    case 'boolean':
      if (/^(true|1)$/i.test(text.trim())) return 'true'
      return /^(false|0)$/i.test(text.trim()) ? 'false' : text
    case 'time': {
      const ns = parseTimestamp(text, zone)
      return typeof ns === 'string' ? { invalid: `"${text}" is not a valid date: ${ns}` } : formatInstant(ns)
    }
    case 'string':
      return text
  }
}

// Native for clients that name a protocol revision. chDB writes Native as a client of revision 0
// would read it; over HTTP a server writes it for the `client_protocol_version` the client sent,
// and clickhouse-go (Grafana's plugin) reads with that framing: a BlockInfo before each block
// and, from revision 54454, a custom-serialization flag after each column's type. Adding
// them means walking each column's bytes, so the column layouts are read here by type.
import { clickHouseError, NOT_IMPLEMENTED } from './errors.ts'

/** Revisions at which the framing changes (ClickHouse's ProtocolDefines.h). */
export const REVISION_WITH_BLOCK_INFO = 51903
export const REVISION_WITH_CUSTOM_SERIALIZATION = 54454

class Reader {
  offset = 0
  readonly bytes: Buffer

  constructor(bytes: Buffer) {
    this.bytes = bytes
  }
  skip(n: number): void {
    if (n < 0 || this.offset + n > this.bytes.length) throw new RangeError('Native data ends inside a column')
    this.offset += n
  }
  varUInt(): number {
    let value = 0
    for (let shift = 0; shift < 63; shift += 7) {
      const byte = this.bytes[this.offset++]
      if (byte === undefined) throw new RangeError('Native data ends inside a number')
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return value
    }
    throw new RangeError('Native varint too long')
  }
  uint64(): number {
    this.skip(8)
    return Number(this.bytes.readBigUInt64LE(this.offset - 8))
  }
  string(): string {
    const length = this.varUInt()
    this.skip(length)
    return this.bytes.toString('utf8', this.offset - length, this.offset)
  }
}

interface TypeNode {
  readonly name: string
  readonly args: readonly string[]
}

/** `Map(LowCardinality(String), UInt8)` -> name Map, args [LowCardinality(String), UInt8]. */
function parseType(text: string): TypeNode {
  const open = text.indexOf('(')
  if (open < 0 || !text.endsWith(')')) return { name: text.trim(), args: [] }
  const args: string[] = []
  let depth = 0
  let quoted = false
  let start = open + 1
  for (let i = open + 1; i < text.length - 1; i++) {
    const c = text[i]
    if (c === '\\' && quoted) i++
    else if (c === "'") quoted = !quoted
    else if (!quoted && c === '(') depth++
    else if (!quoted && c === ')') depth--
    else if (!quoted && depth === 0 && c === ',') {
      args.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  args.push(text.slice(start, text.length - 1).trim())
  return { name: text.slice(0, open).trim(), args }
}

/** A named tuple element (`a UInt8`, `` `a b` String``) without its name. */
function elementType(text: string): string {
  const named = /^(?:`(?:[^`\\]|\\.)*`|[A-Za-z_][A-Za-z0-9_]*)\s+(?=[A-Za-z])/.exec(text)
  return named === null ? text : text.slice(named[0].length)
}

const FIXED_WIDTH: Readonly<Record<string, number>> = {
  UInt8: 1,
  Int8: 1,
  Bool: 1,
  Enum8: 1,
  Nothing: 1,
  UInt16: 2,
  Int16: 2,
  Date: 2,
  Enum16: 2,
  BFloat16: 2,
  UInt32: 4,
  Int32: 4,
  Float32: 4,
  Date32: 4,
  DateTime: 4,
  IPv4: 4,
  Decimal32: 4,
  Time: 4,
  UInt64: 8,
  Int64: 8,
  Float64: 8,
  DateTime64: 8,
  Decimal64: 8,
  Time64: 8,
  UInt128: 16,
  Int128: 16,
  UUID: 16,
  IPv6: 16,
  Decimal128: 16,
  UInt256: 32,
  Int256: 32,
  Decimal256: 32,
}

function decimalWidth(args: readonly string[]): number {
  const precision = Number(args[0])
  return precision <= 9 ? 4 : precision <= 18 ? 8 : precision <= 38 ? 16 : 32
}

/** The serialization-state prefix written once per column before its data (LowCardinality's version). */
function skipPrefix(reader: Reader, typeText: string): void {
  const type = parseType(typeText)
  if (type.name === 'LowCardinality') reader.skip(8)
  else if (type.name === 'Array' || type.name === 'Nullable') skipPrefix(reader, type.args[0]!)
  else if (type.name === 'Map' || type.name === 'Tuple') for (const arg of type.args) skipPrefix(reader, elementType(arg))
}

function skipLowCardinality(reader: Reader, keyType: string, rows: number): void {
  const dictionaryType = parseType(keyType).name === 'Nullable' ? parseType(keyType).args[0]! : keyType
  for (let done = 0; done < rows;) {
    const indexType = reader.uint64()
    if ((indexType & (1 << 10)) !== 0) skipData(reader, dictionaryType, reader.uint64()) // NeedUpdateDictionary: the keys
    const indexes = reader.uint64()
    reader.skip(indexes * [1, 2, 4, 8][indexType & 0xff]!)
    done += indexes
  }
}

function skipData(reader: Reader, typeText: string, rows: number): void {
  if (rows === 0) return
  const type = parseType(typeText)
  const width = type.name === 'Decimal' ? decimalWidth(type.args) : (FIXED_WIDTH[type.name] ?? (type.name.startsWith('Interval') ? 8 : undefined))
  if (width !== undefined) return reader.skip(rows * width)
  switch (type.name) {
    case 'String':
      for (let i = 0; i < rows; i++) reader.skip(reader.varUInt())
      return
    case 'FixedString':
      return reader.skip(rows * Number(type.args[0]))
    case 'Nullable':
      reader.skip(rows)
      return skipData(reader, type.args[0]!, rows)
    case 'LowCardinality':
      return skipLowCardinality(reader, type.args[0]!, rows)
    case 'Array':
    case 'Map': {
      reader.skip(rows * 8 - 8)
      const total = reader.uint64() // offsets are cumulative: the last is the element count
      for (const arg of type.args) skipData(reader, elementType(arg), total)
      return
    }
    case 'Tuple':
      for (const arg of type.args) skipData(reader, elementType(arg), rows)
      return
    default:
      throw clickHouseError(
        NOT_IMPLEMENTED,
        `Native output for client_protocol_version ${REVISION_WITH_CUSTOM_SERIALIZATION}+ does not support the type ${typeText}; cast the column or ask for another format`,
      )
  }
}

/** A block's BlockInfo as servers write it: is_overflows = false, bucket_num = -1, end. */
const BLOCK_INFO = Buffer.from([0x01, 0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0x00])

/** chDB's revision-0 Native re-framed for a client of `revision`. */
export function nativeForRevision(native: Buffer, revision: number): Buffer {
  if (revision < REVISION_WITH_BLOCK_INFO) return native
  const flags = revision >= REVISION_WITH_CUSTOM_SERIALIZATION
  const reader = new Reader(native)
  const parts: Buffer[] = []
  while (reader.offset < native.length) {
    parts.push(BLOCK_INFO)
    const headerStart = reader.offset
    const columns = reader.varUInt()
    const rows = reader.varUInt()
    parts.push(native.subarray(headerStart, reader.offset))
    for (let c = 0; c < columns; c++) {
      const columnStart = reader.offset
      reader.string() // name
      const type = reader.string()
      parts.push(native.subarray(columnStart, reader.offset))
      if (flags) parts.push(Buffer.from([0x00])) // default serialization
      const dataStart = reader.offset
      if (rows > 0) {
        skipPrefix(reader, type)
        skipData(reader, type, rows)
      }
      parts.push(native.subarray(dataStart, reader.offset))
    }
  }
  return Buffer.concat(parts)
}

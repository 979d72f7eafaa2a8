// Reads the protobuf wire format straight out of a request body: tags, varints, fixed-width
// numbers, length-delimited strings and ids. The OTLP decoders drive it field by field, so no
// message objects are built; every malformed byte becomes a WireError naming its offset.
import { isUtf8 } from 'node:buffer'
import { cachedKey, nativeOrPortableSlices, rememberKey, type TextSlices } from './wire-strings.ts'

export type WireErrorReason = 'malformed_protobuf' | 'invalid_utf8'

/** Thrown inside the decoders only; the public entry points turn it into a tagged result. */
export class WireError extends Error {
  readonly reason: WireErrorReason
  readonly offset: number
  constructor(reason: WireErrorReason, offset: number, detail: string) {
    super(`${detail} at byte offset ${offset}`)
    this.name = 'WireError'
    this.reason = reason
    this.offset = offset
  }
}

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const

/** The wire type of each field number a message defines, -1 for numbers it does not. */
export type KnownFields = Int8Array

/** Builds KnownFields from [field number, wire type] pairs; OTLP field numbers stay below 32. */
export function wireTypes(...fields: ReadonlyArray<readonly [number, number]>): KnownFields {
  const known = new Int8Array(32).fill(-1)
  for (const [field, wireType] of fields) known[field] = wireType
  return known
}

/** Proto groups are long deprecated; a bound keeps a hostile body from recursing without end. */
const MAX_GROUP_DEPTH = 32

export class ProtobufReader {
  readonly buf: Buffer
  readonly view: DataView
  private readonly slices: TextSlices
  pos: number
  /**
   * Upper bounds the decoders note while reading (see ValueBounds in validate.ts): when every
   * value and map is within the limits, validation need not look at each attribute again.
   */
  longestValueChars = 0
  mostAttributes = 0

  constructor(bytes: Uint8Array) {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.buf = buf
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    this.slices = nativeOrPortableSlices(buf)
    this.pos = 0
  }

  get length(): number {
    return this.buf.length
  }

  fail(detail: string, offset: number = this.pos): never {
    throw new WireError('malformed_protobuf', offset, detail)
  }

  /** A tag or any varint read for its low 32 bits (enums, bools, lengths, uint32 counts). */
  uint32(): number {
    const buf = this.buf
    let pos = this.pos
    // One-byte tags and lengths are by far the most common: keep that path branch-light.
    if (pos < buf.length) {
      const b = buf[pos] as number
      if (b < 0x80) {
        this.pos = pos + 1
        return b
      }
    }
    const start = pos
    let value = 0
    let shift = 0
    for (;;) {
      if (pos >= buf.length) this.fail('truncated varint', start)
      const b = buf[pos++] as number
      if (shift < 32) value |= (b & 0x7f) << shift
      if (b < 0x80) break
      shift += 7
      if (shift >= 70) this.fail('varint longer than 10 bytes', start)
    }
    this.pos = pos
    return value >>> 0
  }

  /** A varint as a two's-complement int64 in decimal (AnyValue.int_value), exact beyond 2^53. */
  int64Text(): string {
    const buf = this.buf
    const start = this.pos
    let pos = start
    let low = 0
    let shift = 0
    // Up to 7 bytes (49 bits) fit a double exactly; longer ones (and all negatives) go via BigInt.
    for (; shift < 49; shift += 7) {
      if (pos >= buf.length) this.fail('truncated varint', start)
      const b = buf[pos++] as number
      low += (b & 0x7f) * 2 ** shift
      if (b < 0x80) {
        this.pos = pos
        return String(low)
      }
    }
    let big = BigInt(low)
    let bigShift = 49n
    for (;;) {
      if (pos >= buf.length) this.fail('truncated varint', start)
      const b = buf[pos++] as number
      big |= BigInt(b & 0x7f) << bigShift
      if (b < 0x80) break
      bigShift += 7n
      if (bigShift >= 70n) this.fail('varint longer than 10 bytes', start)
    }
    this.pos = pos
    return BigInt.asIntN(64, big).toString()
  }

  /** A varint bool: any non-zero bit is true, whatever its width. */
  bool(): boolean {
    const start = this.pos
    let pos = start
    let any = 0
    for (;;) {
      if (pos >= this.buf.length) this.fail('truncated varint', start)
      const b = this.buf[pos++] as number
      any |= b & 0x7f
      if (b < 0x80) break
      if (pos - start >= 10) this.fail('varint longer than 10 bytes', start)
    }
    this.pos = pos
    return any !== 0
  }

  private need(bytes: number): number {
    const at = this.pos
    if (at + bytes > this.buf.length) this.fail(`truncated ${bytes}-byte field`, at)
    this.pos = at + bytes
    return at
  }

  fixed32(): number {
    return this.view.getUint32(this.need(4), true)
  }

  fixed64(): bigint {
    return this.view.getBigUint64(this.need(8), true)
  }

  double(): number {
    return this.view.getFloat64(this.need(8), true)
  }

  /** Reads a length prefix and returns where the value ends; the value must fit inside `limit`. */
  lengthEnd(limit: number): number {
    const at = this.pos
    const len = this.uint32()
    // uint32() keeps the low 32 bits; a wider prefix would silently wrap, so refuse it.
    if (this.pos - at > 5 || (this.pos - at === 5 && (this.buf[this.pos - 1] as number) > 0x0f)) {
      this.fail('length prefix wider than 32 bits', at)
    }
    const end = this.pos + len
    if (end > limit) this.fail(`length ${len} runs past the end of its message`, at)
    return end
  }

  /** The string from here to `end`, UTF-8 checked as proto3 requires for `string` fields. */
  stringTo(end: number): string {
    const start = this.pos
    this.pos = end
    if (start === end) return ''
    const text = this.slices.utf8Slice(start, end)
    // toString replaces bad sequences with U+FFFD: only then pay for an exact check.
    if (text.includes('\uFFFD') && !isUtf8(this.buf.subarray(start, end))) {
      throw new WireError('invalid_utf8', start, 'string field is not valid UTF-8')
    }
    return text
  }

  /** A length-delimited string field at the cursor. */
  string(limit: number): string {
    return this.stringTo(this.lengthEnd(limit))
  }

  /** A length-delimited string that is likely to repeat (attribute keys), through the key cache. */
  key(limit: number): string {
    const end = this.lengthEnd(limit)
    const start = this.pos
    const cached = cachedKey(this.buf, start, end)
    if (cached !== undefined) {
      this.pos = end
      return cached
    }
    const text = this.stringTo(end)
    rememberKey(this.buf, start, end, text)
    return text
  }

  /** A length-delimited bytes field as lower-case hex (trace and span ids). */
  hex(limit: number): string {
    const end = this.lengthEnd(limit)
    const start = this.pos
    this.pos = end
    return start === end ? '' : this.slices.hexSlice(start, end)
  }

  /** A length-delimited bytes field as standard base64 (AnyValue.bytes_value). */
  base64(limit: number): string {
    const end = this.lengthEnd(limit)
    const start = this.pos
    this.pos = end
    return start === end ? '' : this.slices.base64Slice(start, end)
  }

  /** Skips the value of a field this decoder does not read, for every wire type proto defines. */
  skip(tag: number, limit: number, depth = 0): void {
    const wireType = tag & 7
    switch (wireType) {
      case WireType.varint: {
        const start = this.pos
        while (this.pos < this.buf.length && (this.buf[this.pos] as number) >= 0x80) {
          this.pos++
          if (this.pos - start >= 10) this.fail('varint longer than 10 bytes', start)
        }
        if (this.pos >= this.buf.length) this.fail('truncated varint', start)
        this.pos++
        return
      }
      case WireType.fixed64:
        this.need(8)
        return
      case WireType.lengthDelimited:
        this.pos = this.lengthEnd(limit)
        return
      case WireType.fixed32:
        this.need(4)
        return
      case WireType.startGroup: {
        if (depth >= MAX_GROUP_DEPTH) this.fail('groups nested too deeply')
        const field = tag >>> 3
        for (;;) {
          if (this.pos >= limit) this.fail(`unterminated group for field ${field}`)
          const at = this.pos
          const inner = this.uint32()
          if ((inner & 7) === WireType.endGroup) {
            if (inner >>> 3 !== field) this.fail(`end group for field ${inner >>> 3} inside group ${field}`, at)
            return
          }
          this.skip(inner, limit, depth + 1)
        }
      }
      case WireType.endGroup:
        return this.fail(`unexpected end group for field ${tag >>> 3}`)
      default:
        return this.fail(`invalid wire type ${wireType} for field ${tag >>> 3}`)
    }
  }

  /**
   * Skips a field this decoder does not read. `known` gives the wire type of each field number
   * the message defines (see wireTypes): one of those arriving with another wire type is malformed.
   */
  skipUnknown(tag: number, limit: number, known: KnownFields): void {
    const field = tag >>> 3
    const expected = field < known.length ? (known[field] as number) : -1
    // Wire types 6 and 7 do not exist: skip() names them as invalid rather than as a mismatch.
    if (expected >= 0 && expected !== (tag & 7) && (tag & 7) <= WireType.fixed32) this.fail(`wrong wire type ${tag & 7} for field ${field}`)
    this.skip(tag, limit)
  }

  /** Reads one tag, refusing field number 0 which no valid message has. */
  tag(): number {
    const at = this.pos
    const tag = this.uint32()
    if (tag >>> 3 === 0) this.fail('field number 0', at)
    return tag
  }

  noteAttributes(count: number): void {
    if (count > this.mostAttributes) this.mostAttributes = count
  }

  /** Ends a nested message: its fields must have consumed exactly its declared length. */
  expectEnd(end: number): void {
    if (this.pos !== end) this.fail(`nested field overruns its message (ends at ${end})`)
  }
}

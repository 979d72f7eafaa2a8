// The body of an OTLP/HTTP error response: a google.rpc.Status (code = 1, message = 2) in
// the encoding of the request, as the OTLP specification requires. The message starts with
// our error code (docs/errors.md) so operators can look it up.
import type { PayloadEncoding } from './request-body.ts'

function varint(value: number): number[] {
  const out: number[] = []
  let v = value >>> 0
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
  return out
}

export function statusProtobuf(grpcCode: number, message: string): Buffer {
  const text = Buffer.from(message)
  return Buffer.concat([Buffer.from([0x08, ...varint(grpcCode), 0x12, ...varint(text.length)]), text])
}

export interface StatusJson {
  readonly code: number
  readonly message: string
  readonly details: readonly never[]
}

export function statusBody(encoding: PayloadEncoding, grpcCode: number, message: string): Buffer | StatusJson {
  return encoding === 'protobuf' ? statusProtobuf(grpcCode, message) : { code: grpcCode, message, details: [] }
}

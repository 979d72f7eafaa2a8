// Encodes the OTLP export responses: ExportTraceServiceResponse and ExportLogsServiceResponse,
// whose only field is partial_success { rejected count (int64) = 1, error_message = 2 }. Full
// success is the empty message: zero bytes in protobuf, `{}` in JSON.

import type { Signal } from '../signal.ts'

export type { Signal }
export type PayloadEncoding = 'protobuf' | 'json'

export interface PartialSuccess {
  /** Spans or log records the server did not accept. */
  readonly rejected: number
  readonly errorMessage: string
}

/** Full success: nothing rejected and nothing to say, so partial_success stays unset. */
export const FULL_SUCCESS: PartialSuccess = Object.freeze({ rejected: 0, errorMessage: '' })

function varint(out: number[], value: number): void {
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
}

/**
 * The protobuf response. Both services number the fields alike, so one encoder serves both;
 * `signal` is kept for symmetry with the JSON form, whose field names differ.
 */
export function encodeExportResponseProtobuf(_signal: Signal, partial: PartialSuccess): Uint8Array {
  if (partial.rejected === 0 && partial.errorMessage === '') return new Uint8Array(0)
  const inner: number[] = []
  if (partial.rejected !== 0) {
    inner.push(0x08) // rejected_spans / rejected_log_records: field 1, varint
    varint(inner, partial.rejected)
  }
  const message = Buffer.from(partial.errorMessage, 'utf8')
  if (message.length > 0) {
    inner.push(0x12) // error_message: field 2, length-delimited
    varint(inner, message.length)
  }
  const head: number[] = [0x0a] // partial_success: field 1, length-delimited
  varint(head, inner.length + message.length)
  return Buffer.concat([Uint8Array.from(head), Uint8Array.from(inner), message])
}

/** The JSON response, in proto3 JSON mapping: lowerCamelCase names, int64 as a decimal string. */
export function encodeExportResponseJson(signal: Signal, partial: PartialSuccess): string {
  if (partial.rejected === 0 && partial.errorMessage === '') return '{}'
  const countName = signal === 'traces' ? 'rejectedSpans' : 'rejectedLogRecords'
  const body: Record<string, string> = {}
  if (partial.rejected !== 0) body[countName] = String(partial.rejected)
  if (partial.errorMessage !== '') body['errorMessage'] = partial.errorMessage
  return JSON.stringify({ partialSuccess: body })
}

/** The response body for a request that arrived in `encoding`: bytes for protobuf, text for JSON. */
export function encodeExportResponse(signal: Signal, encoding: PayloadEncoding, rejected: number, errorMessage: string): Uint8Array | string {
  const partial: PartialSuccess = { rejected, errorMessage }
  return encoding === 'protobuf' ? encodeExportResponseProtobuf(signal, partial) : encodeExportResponseJson(signal, partial)
}

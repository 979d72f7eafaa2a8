// The OTLP/HTTP decoding stage of the collector: request bodies (protobuf or JSON) in,
// validated otel_traces / otel_logs rows out, as one tagged result; plus the export responses.
// Nothing here throws on bad input: malformed requests come back as { ok: false, reason }.
import { parseJsonKeepingLongIntegers } from './json-long-integers.ts'
import type { LogRow, SpanRow } from '../../store/index.ts'
import type { DecodeFailure, DecodeResult, ValidationLimits } from './decode-result.ts'
import { JsonShapeError, isObject, type JsonObject } from './json-common.ts'
import { mapLogsRequestJson } from './json-logs.ts'
import { mapTraceRequestJson } from './json-traces.ts'
import { decodeLogsRequestProtobuf } from './protobuf-logs.ts'
import { decodeTraceRequestProtobuf } from './protobuf-traces.ts'
import type { PayloadEncoding, Signal } from './response.ts'
import { validateLogs, validateSpans, type ValidatedRows } from './validate.ts'
import { WireError } from './wire-reader.ts'

export type { DecodeErrorReason, DecodeFailure, DecodeResult, DecodeSuccess, RejectReason, Rejections, ValidationLimits } from './decode-result.ts'
export { REJECT_REASONS } from './decode-result.ts'
export { parseJsonKeepingLongIntegers } from './json-long-integers.ts'
export {
  encodeExportResponse,
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  FULL_SUCCESS,
  type PartialSuccess,
  type PayloadEncoding,
  type Signal,
} from './response.ts'
export { describeRejections, validateLogs, validateSpans, type ValidatedRows, type ValueBounds } from './validate.ts'
export { ProtobufReader, WireError } from './wire-reader.ts'

function failure(error: unknown): DecodeFailure {
  if (error instanceof WireError) return { ok: false, reason: error.reason, message: error.message }
  if (error instanceof JsonShapeError) return { ok: false, reason: 'invalid_otlp_json', message: error.message }
  throw error
}

function success<Row>(validated: ValidatedRows<Row>, negativeDurations: number): DecodeResult<Row> {
  return {
    ok: true,
    rows: validated.rows,
    rejected: validated.rejected,
    truncatedValues: validated.truncatedValues,
    droppedAttributes: validated.droppedAttributes,
    negativeDurations,
  }
}

/** An ExportTraceServiceRequest body; an empty body is a valid request with no spans. */
export function decodeTracesProtobuf(body: Uint8Array, limits: ValidationLimits): DecodeResult<SpanRow> {
  try {
    const decoded = decodeTraceRequestProtobuf(body)
    return success(validateSpans(decoded.rows, limits, decoded.bounds), decoded.negativeDurations)
  } catch (error) {
    return failure(error)
  }
}

/** An ExportLogsServiceRequest body; an empty body is a valid request with no records. */
export function decodeLogsProtobuf(body: Uint8Array, limits: ValidationLimits): DecodeResult<LogRow> {
  try {
    const decoded = decodeLogsRequestProtobuf(body)
    return success(validateLogs(decoded.rows, limits, decoded.bounds), 0)
  } catch (error) {
    return failure(error)
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** Parses the body; an empty or all-whitespace one is an empty request, as for protobuf. */

function parseRequest(body: string | Uint8Array): { readonly ok: true; readonly request: JsonObject } | DecodeFailure {
  let text: string
  if (typeof body === 'string') text = body
  else {
    try {
      text = strictUtf8.decode(body)
    } catch {
      return { ok: false, reason: 'invalid_utf8', message: 'JSON body is not valid UTF-8' }
    }
  }
  if (text.trim() === '') return { ok: true, request: {} }

  let parsed: unknown
  try {
    parsed = parseJsonKeepingLongIntegers(text)
  } catch (error) {
    return { ok: false, reason: 'malformed_json', message: `body is not JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
  if (!isObject(parsed)) {
    const got = Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`
    return { ok: false, reason: 'invalid_otlp_json', message: `an OTLP/JSON request is an object, got ${got}` }
  }
  return { ok: true, request: parsed }
}

/** An OTLP/JSON ExportTraceServiceRequest, as text or UTF-8 bytes. */
export function decodeTracesJson(body: string | Uint8Array, limits: ValidationLimits): DecodeResult<SpanRow> {
  const parsed = parseRequest(body)
  if (!parsed.ok) return parsed
  try {
    const decoded = mapTraceRequestJson(parsed.request)
    return success(validateSpans(decoded.rows, limits), decoded.negativeDurations)
  } catch (error) {
    return failure(error)
  }
}

/** An OTLP/JSON ExportLogsServiceRequest, as text or UTF-8 bytes. */
export function decodeLogsJson(body: string | Uint8Array, limits: ValidationLimits): DecodeResult<LogRow> {
  const parsed = parseRequest(body)
  if (!parsed.ok) return parsed
  try {
    return success(validateLogs(mapLogsRequestJson(parsed.request).rows, limits), 0)
  } catch (error) {
    return failure(error)
  }
}

/** The limits the decoders apply, as the HTTP layer builds them from config. */

export type SpanDecoder = (body: Uint8Array, limits: ValidationLimits) => DecodeResult<SpanRow>
export type LogDecoder = (body: Uint8Array, limits: ValidationLimits) => DecodeResult<LogRow>

/** The decoder for one signal and content type, so the route need not branch on both. */
export function decoderFor(signal: 'traces', encoding: PayloadEncoding): SpanDecoder
export function decoderFor(signal: 'logs', encoding: PayloadEncoding): LogDecoder
export function decoderFor(signal: Signal, encoding: PayloadEncoding): SpanDecoder | LogDecoder
export function decoderFor(signal: Signal, encoding: PayloadEncoding): SpanDecoder | LogDecoder {
  if (signal === 'traces') return encoding === 'protobuf' ? decodeTracesProtobuf : decodeTracesJson
  return encoding === 'protobuf' ? decodeLogsProtobuf : decodeLogsJson
}

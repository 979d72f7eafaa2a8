// The one result shape every OTLP decoder returns: rows plus what validation rejected,
// truncated or dropped, or a typed failure for a request that cannot be read at all.
// The HTTP layer branches on `ok`; nothing here throws.

/** Why a single span or log record was left out; the HTTP layer exports a metric per reason. */
export type RejectReason =
  | 'invalid_trace_id'
  | 'invalid_span_id'
  | 'invalid_parent_span_id'
  | 'missing_timestamp'
  | 'timestamp_out_of_range'
  | 'timestamp_in_future'
  | 'timestamp_before_retention'

export const REJECT_REASONS: readonly RejectReason[] = [
  'invalid_trace_id',
  'invalid_span_id',
  'invalid_parent_span_id',
  'missing_timestamp',
  'timestamp_out_of_range',
  'timestamp_in_future',
  'timestamp_before_retention',
]

/** Why a whole request was refused: nothing in it can be trusted. */
export type DecodeErrorReason = 'malformed_protobuf' | 'invalid_utf8' | 'malformed_json' | 'invalid_otlp_json'

export interface Rejections {
  readonly count: number
  readonly byReason: Readonly<Partial<Record<RejectReason, number>>>
  /** The first few rejections, each `reason: detail`. */
  readonly examples: readonly string[]
  /** The partial_success error_message: the count by reason and the first details ('' if none). */
  readonly message: string
}

/** The caps applied to every record; `nowNs` is passed in so validation stays a pure function. */
export interface ValidationLimits {
  readonly maxAttributesPerRecord: number
  readonly maxAttributeValueBytes: number
  readonly maxFutureSkewSeconds: number
  readonly nowNs: bigint
  /**
   * Records older than this are refused: the table's TTL would delete them on arrival, and
   * a batch spread over many old days makes an insert touch too many partitions.
   * Undefined when the table keeps rows forever.
   */
  readonly oldestNs?: bigint
}

export interface DecodeSuccess<Row> {
  readonly ok: true
  readonly rows: Row[]
  readonly rejected: Rejections
  /** Attribute values (and log bodies) cut to maxAttributeValueBytes. */
  readonly truncatedValues: number
  /** Attributes beyond maxAttributesPerRecord, left out. */
  readonly droppedAttributes: number
  /** Spans whose end came before their start, stored with Duration 0. */
  readonly negativeDurations: number
}

export interface DecodeFailure {
  readonly ok: false
  readonly reason: DecodeErrorReason
  readonly message: string
}

export type DecodeResult<Row> = DecodeSuccess<Row> | DecodeFailure

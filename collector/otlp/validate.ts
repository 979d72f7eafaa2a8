// Record-level checks on decoded rows, shared by the protobuf and JSON decoders: bad ids and
// unusable timestamps reject one record (counted by reason), over-long values and too many
// attributes are cut (counted). Pure: rows in, new rows out, inputs never mutated.
import type { AttributeMap, LogRow, SpanEventRow, SpanLinkRow, SpanRow } from '../../store/index.ts'
import { setAttribute } from './attribute-text.ts'
import type { RejectReason, Rejections, ValidationLimits } from './decode-result.ts'

export interface ValidatedRows<Row> {
  readonly rows: Row[]
  readonly rejected: Rejections
  readonly truncatedValues: number
  readonly droppedAttributes: number
}

/**
 * Upper bounds a decoder observed over a whole request: the longest attribute value or body
 * (in UTF-16 units) and the most attributes in any one map. Within the limits, no map needs
 * a second look; the result is the same as without them, only cheaper.
 */
export interface ValueBounds {
  readonly longestValueChars: number
  readonly mostAttributes: number
}

function withinLimits(bounds: ValueBounds | undefined, limits: ValidationLimits): boolean {
  return bounds !== undefined && bounds.longestValueChars * 3 <= limits.maxAttributeValueBytes && bounds.mostAttributes <= limits.maxAttributesPerRecord
}

const TRACE_ID = /^[0-9a-f]{32}$/
const SPAN_ID = /^[0-9a-f]{16}$/
/** DateTime64(9) stores nanoseconds in an Int64: it ends on 2262-04-11. */
const INT64_MAX = 2n ** 63n - 1n
const NS_PER_SECOND = 1_000_000_000n
const MAX_EXAMPLES = 3

class RejectionTally {
  count = 0
  readonly byReason: Partial<Record<RejectReason, number>> = {}
  readonly examples: string[] = []

  add(reason: RejectReason, detail: string): void {
    this.count++
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(`${reason}: ${detail}`)
  }

  done(noun: 'spans' | 'log records'): Rejections {
    return { count: this.count, byReason: this.byReason, examples: this.examples, message: describeRejections(this, noun) }
  }
}

/** Applies the attribute caps; maps shared by many rows (resource, scope) are cut and counted once. */
class AttributeLimiter {
  truncatedValues = 0
  droppedAttributes = 0
  private readonly maxAttributes: number
  private readonly maxBytes: number
  private readonly shared = new Map<AttributeMap, AttributeMap>()

  constructor(limits: ValidationLimits) {
    this.maxAttributes = limits.maxAttributesPerRecord
    this.maxBytes = limits.maxAttributeValueBytes
  }

  private tooLong(value: string): boolean {
    // A UTF-16 unit is at most 3 UTF-8 bytes and at least 1: most values need no byte count.
    if (value.length * 3 <= this.maxBytes) return false
    if (value.length > this.maxBytes) return true
    return Buffer.byteLength(value, 'utf8') > this.maxBytes
  }

  text(value: string): string {
    if (!this.tooLong(value)) return value
    this.truncatedValues++
    const bytes = Buffer.from(value, 'utf8')
    let cut = this.maxBytes
    // Back up over continuation bytes (10xxxxxx) so no character is split.
    while (cut > 0 && ((bytes[cut] as number) & 0xc0) === 0x80) cut--
    return bytes.toString('utf8', 0, cut)
  }

  map(map: AttributeMap): AttributeMap {
    let n = 0
    let fits = true
    for (const key in map) {
      if (++n > this.maxAttributes || this.tooLong(map[key] as string)) {
        fits = false
        break
      }
    }
    if (fits) return map
    const out: AttributeMap = {}
    n = 0
    for (const key in map) {
      if (++n > this.maxAttributes) this.droppedAttributes++
      else setAttribute(out, key, this.text(map[key] as string))
    }
    return out
  }

  sharedMap(map: AttributeMap): AttributeMap {
    let limited = this.shared.get(map)
    if (limited === undefined) {
      limited = this.map(map)
      this.shared.set(map, limited)
    }
    return limited
  }
}

function describeTimestamp(ns: bigint, skewNs: bigint, limits: ValidationLimits): RejectReason | undefined {
  if (ns === 0n) return 'missing_timestamp'
  if (ns > INT64_MAX) return 'timestamp_out_of_range'
  if (ns > limits.nowNs + skewNs) return 'timestamp_in_future'
  if (limits.oldestNs !== undefined && ns < limits.oldestNs) return 'timestamp_before_retention'
  return undefined
}

function timestampDetail(reason: RejectReason, what: string, ns: bigint, limits: ValidationLimits): string {
  if (reason === 'missing_timestamp') return `${what} has no timestamp (0)`
  if (reason === 'timestamp_out_of_range') return `${what} timestamp ${ns} ns is past 2262-04-11, the end of DateTime64(9)`
  if (reason === 'timestamp_before_retention') {
    const oldest = new Date(Number((limits.oldestNs ?? 0n) / 1_000_000n)).toISOString()
    return `${what} timestamp ${ns} ns is before ${oldest}, outside the table's retention: it would be deleted on arrival`
  }
  return `${what} timestamp ${ns} ns is more than ${limits.maxFutureSkewSeconds} s in the future`
}

const quote = (text: string): string => JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text)

function spanIdProblem(row: SpanRow): [RejectReason, string] | undefined {
  if (!TRACE_ID.test(row.traceId)) return ['invalid_trace_id', `span ${quote(row.spanName)} trace id ${quote(row.traceId)} is not 16 bytes of hex`]
  if (!SPAN_ID.test(row.spanId)) return ['invalid_span_id', `span ${quote(row.spanName)} span id ${quote(row.spanId)} is not 8 bytes of hex`]
  if (row.parentSpanId !== '' && !SPAN_ID.test(row.parentSpanId)) {
    return ['invalid_parent_span_id', `span ${quote(row.spanName)} parent span id ${quote(row.parentSpanId)} is neither empty nor 8 bytes of hex`]
  }
  return undefined
}

export function validateSpans(rows: readonly SpanRow[], limits: ValidationLimits, bounds?: ValueBounds): ValidatedRows<SpanRow> {
  const fits = withinLimits(bounds, limits)
  const tally = new RejectionTally()
  const limiter = new AttributeLimiter(limits)
  const skewNs = BigInt(limits.maxFutureSkewSeconds) * NS_PER_SECOND
  const out: SpanRow[] = []
  for (const row of rows) {
    const idProblem = spanIdProblem(row)
    if (idProblem !== undefined) {
      tally.add(idProblem[0], idProblem[1])
      continue
    }
    const timeProblem = describeTimestamp(row.timestampNs, skewNs, limits)
    if (timeProblem !== undefined) {
      tally.add(timeProblem, timestampDetail(timeProblem, `span ${quote(row.spanName)}`, row.timestampNs, limits))
      continue
    }
    // An event past Int64 would make ClickHouse refuse the whole insert batch, not just this row.
    const badEvent = row.events.find((e) => e.timestampNs > INT64_MAX)
    if (badEvent !== undefined) {
      tally.add(
        'timestamp_out_of_range',
        timestampDetail('timestamp_out_of_range', `span ${quote(row.spanName)} event ${quote(badEvent.name)}`, badEvent.timestampNs, limits),
      )
      continue
    }
    out.push(fits ? row : limitSpan(row, limiter))
  }
  return { rows: out, rejected: tally.done('spans'), truncatedValues: limiter.truncatedValues, droppedAttributes: limiter.droppedAttributes }
}

function limitSpan(row: SpanRow, limiter: AttributeLimiter): SpanRow {
  const resourceAttributes = limiter.sharedMap(row.resourceAttributes)
  const spanAttributes = limiter.map(row.spanAttributes)
  const events = limitEach(row.events, limiter)
  const links = limitEach(row.links, limiter)
  if (resourceAttributes === row.resourceAttributes && spanAttributes === row.spanAttributes && events === row.events && links === row.links) {
    return row
  }
  return { ...row, resourceAttributes, spanAttributes, events, links }
}

function limitEach<Item extends SpanEventRow | SpanLinkRow>(items: readonly Item[], limiter: AttributeLimiter): readonly Item[] {
  let out: Item[] | undefined
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Item
    const attributes = limiter.map(item.attributes)
    if (attributes !== item.attributes) {
      out ??= items.slice()
      out[i] = { ...item, attributes }
    }
  }
  return out ?? items
}

export function validateLogs(rows: readonly LogRow[], limits: ValidationLimits, bounds?: ValueBounds): ValidatedRows<LogRow> {
  const fits = withinLimits(bounds, limits)
  const tally = new RejectionTally()
  const limiter = new AttributeLimiter(limits)
  const skewNs = BigInt(limits.maxFutureSkewSeconds) * NS_PER_SECOND
  const out: LogRow[] = []
  for (const row of rows) {
    // Log records need not belong to a trace: empty ids are fine, malformed ones are not.
    if (row.traceId !== '' && !TRACE_ID.test(row.traceId)) {
      tally.add('invalid_trace_id', `log record trace id ${quote(row.traceId)} is neither empty nor 16 bytes of hex`)
      continue
    }
    if (row.spanId !== '' && !SPAN_ID.test(row.spanId)) {
      tally.add('invalid_span_id', `log record span id ${quote(row.spanId)} is neither empty nor 8 bytes of hex`)
      continue
    }
    const timeProblem = describeTimestamp(row.timestampNs, skewNs, limits)
    if (timeProblem !== undefined) {
      tally.add(timeProblem, timestampDetail(timeProblem, 'log record', row.timestampNs, limits))
      continue
    }
    if (fits) {
      out.push(row)
      continue
    }
    const resourceAttributes = limiter.sharedMap(row.resourceAttributes)
    const scopeAttributes = limiter.sharedMap(row.scopeAttributes)
    const logAttributes = limiter.map(row.logAttributes)
    const body = limiter.text(row.body)
    const unchanged =
      resourceAttributes === row.resourceAttributes && scopeAttributes === row.scopeAttributes && logAttributes === row.logAttributes && body === row.body
    out.push(unchanged ? row : { ...row, resourceAttributes, scopeAttributes, logAttributes, body })
  }
  return { rows: out, rejected: tally.done('log records'), truncatedValues: limiter.truncatedValues, droppedAttributes: limiter.droppedAttributes }
}

/** The partial_success error_message: how many were rejected, by reason, and the first details. */
export function describeRejections(rejected: Pick<Rejections, 'count' | 'byReason' | 'examples'>, noun: 'spans' | 'log records'): string {
  if (rejected.count === 0) return ''
  const reasons = Object.entries(rejected.byReason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ')
  const what = rejected.count === 1 ? noun.slice(0, -1) : noun
  return `${rejected.count} ${what} rejected (${reasons}); first: ${rejected.examples.join('; ')}`
}

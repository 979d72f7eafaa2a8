// Records a business event ("sales_order.created for order O1, ok") from integration code:
// as an OpenTelemetry log record named `business.event` (an otel_logs row, like an event
// posted to /v1/events), or as a span event plus attributes on a span already in flight.

import { context, SeverityNumber, type Attributes, type Context, type Logger, type Span } from '@opentelemetry/api'
import { BUSINESS_EVENT_NAME, BusinessAttr } from '../core/semconv.ts'
import { businessKeyAttributes, businessKeys, keyCount, type BusinessKeysInput } from './business-keys.ts'
import { checkBusinessStatus, type BusinessStatus } from './business-status.ts'
import { checkText, checkTime, fieldError } from './field-checks.ts'
import { businessFieldAttributes, extraAttributes, integrationFieldAttributes, type BusinessFields, type IntegrationFields } from './record-attributes.ts'

export interface BusinessEvent extends BusinessFields, IntegrationFields {
  readonly process: string
  readonly milestone: string
  /** At least one key: an event without keys belongs to no instance. */
  readonly keys: BusinessKeysInput
  /** Default `ok`. */
  readonly status?: BusinessStatus
  /** Dedupe key; default a random UUID. Pass the source system's own id when it has one. */
  readonly eventId?: string
  /** When the step happened in the source system; default now. */
  readonly time?: Date
  /** Extra attributes (`customer_tier`, `region`...); our own prefixes are refused. */
  readonly attributes?: Attributes
  /** Context whose active span the log record is linked to; default the active context. */
  readonly context?: Context
}

/** The attributes of a business event, validated; throws a TypeError naming a bad field. */
export const businessEventAttributes = (event: BusinessEvent, eventId: string): Attributes => {
  checkText('process', event.process)
  checkText('milestone', event.milestone)
  const keys = businessKeys(event.keys, 'keys')
  if (keyCount(keys) === 0) throw fieldError('keys', 'must hold at least one business key, e.g. { order_id: "O1" }')
  const attributes: Attributes = {
    ...extraAttributes('attributes', event.attributes),
    ...businessKeyAttributes(keys),
    ...businessFieldAttributes(event),
    ...integrationFieldAttributes(event),
    [BusinessAttr.status]: checkBusinessStatus('status', event.status ?? 'ok'),
    [BusinessAttr.eventId]: checkText('eventId', eventId),
  }
  // Checked here so both routes refuse a bad time; only the span route writes it (below).
  if (event.time !== undefined) checkTime('time', event.time)
  return attributes
}

const isLogger = (target: Logger | Span): target is Logger => 'emit' in target && typeof target.emit === 'function'

/**
 * Emits the event through `target` and returns its event id. A Logger gets a log record
 * (eventName `business.event`, timestamp = `time`); a Span gets a `business.event` span
 * event and the same attributes (plus `business.event.time`) on the span, so the span's
 * columns name the step too.
 */
export const recordBusinessEvent = (target: Logger | Span, event: BusinessEvent): string => {
  const eventId = event.eventId ?? globalThis.crypto.randomUUID()
  const attributes = businessEventAttributes(event, eventId)
  if (isLogger(target)) {
    const status = event.status ?? 'ok'
    const failed = status === 'error'
    target.emit({
      eventName: BUSINESS_EVENT_NAME,
      timestamp: event.time ?? new Date(),
      severityNumber: failed ? SeverityNumber.ERROR : SeverityNumber.INFO,
      severityText: failed ? 'ERROR' : 'INFO',
      body: `${event.process}: ${event.milestone} (${status})`,
      attributes,
      context: event.context ?? context.active(),
    })
  } else {
    // A span's own times are processing times, so the business time travels as an attribute;
    // a log record's timestamp already is the business time (as for posted events).
    const spanAttributes: Attributes = event.time === undefined ? attributes : { ...attributes, [BusinessAttr.eventTime]: event.time.toISOString() }
    target.addEvent(BUSINESS_EVENT_NAME, spanAttributes)
    target.setAttributes(spanAttributes)
  }
  return eventId
}

// Validates one posted business event and turns it into an otel_logs row carrying the
// semantic-convention attributes (docs/semantic-conventions.md), so posted events and
// SDK-emitted ones are read by the same deriver. A missing event_id is derived from the
// content, so a webhook that re-posts the same event is deduplicated downstream.
import { createHash } from 'node:crypto'
import { Compile } from 'typebox/compile'
import {
  BUSINESS_EVENT_NAME,
  BUSINESS_STATUSES,
  BusinessAttr,
  IntegrationAttr,
  KEY_TYPE_PATTERN,
  OtelAttr,
  TenantAttr,
  businessKeyAttribute,
} from '../../core/semconv.ts'
import type { AttributeMap, LogRow } from '../../store/index.ts'
import { setAttribute } from '../otlp/attribute-text.ts'
import { BusinessEventSchema, type BusinessEventInput } from './business-event-schema.ts'

export interface EventRejection {
  readonly index: number
  readonly field: string
  readonly message: string
}

export type EventOutcome = { readonly ok: true; readonly row: LogRow } | { readonly ok: false; readonly rejection: EventRejection }

const validator = Compile(BusinessEventSchema)

const TIME_FORM = 'must be RFC 3339 with an offset (2026-11-29T10:00:00.123Z) or unix nanoseconds'

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/

/** Business time in unix nanoseconds, or an error message naming the expected form. */
export function parseEventTime(time: string | number): bigint | string {
  if (typeof time === 'number') return BigInt(time)
  if (/^\d{1,19}$/.test(time)) return BigInt(time)
  const m = RFC3339.exec(time)
  if (!m) return TIME_FORM
  const [, date = '', clock, fraction = '', offset] = m
  const ms = Date.parse(`${date}T${clock}${offset === 'z' ? 'Z' : offset}`)
  if (Number.isNaN(ms)) return 'is not a valid date'
  // Date.parse rolls a day the month lacks over into the next month (02-30 -> 03-02).
  const daysInMonth = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)), 0)).getUTCDate()
  if (Number(date.slice(8, 10)) > daysInMonth) return 'is not a valid date'
  return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0'))
}

/** The first name in a validation error's params list (`requiredProperties`, `additionalProperties`). */
function firstParam(params: unknown, name: string): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined
  const list: unknown = Reflect.get(params, name)
  return Array.isArray(list) && typeof list[0] === 'string' ? list[0] : undefined
}

const unknownNameMessages: Readonly<Record<string, string>> = {
  '': 'is not a field of a business event (unknown fields are refused)',
  keys: `is not a valid key type: must match ${KEY_TYPE_PATTERN.source}`,
  attributes:
    'is not a valid attribute name: must be 1 to 256 characters, outside the business., integration., sync. and tenant. namespaces (use the named fields)',
}

/** Fields whose schema is a union: its members' own errors ("must be equal to constant") say little. */
const unionMessages: Readonly<Record<string, string>> = {
  status: `must be one of ${BUSINESS_STATUSES.join(', ')}`,
  time: TIME_FORM,
}

function firstError(input: unknown): { field: string; message: string } {
  const errors = validator.Errors(input)
  const specific = errors.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'boolean') ?? errors[0]
  if (!specific) return { field: '(event)', message: 'is invalid' }
  const path = specific.instancePath.slice(1).replaceAll('/', '.')
  const within = (name: string): string => (path === '' ? name : `${path}.${name}`)
  // A missing or unknown property is reported under its own name, not its parent's.
  const missing = specific.keyword === 'required' ? firstParam(specific.params, 'requiredProperties') : undefined
  if (missing !== undefined) return { field: within(missing), message: 'is required' }
  const unknown = specific.keyword === 'additionalProperties' ? firstParam(specific.params, 'additionalProperties') : undefined
  if (unknown !== undefined) return { field: within(unknown), message: unknownNameMessages[path] ?? 'is not allowed here' }
  return { field: path === '' ? '(event)' : path, message: unionMessages[path] ?? specific.message }
}

function derivedEventId(e: BusinessEventInput, timeNs: bigint): string {
  const keys = Object.entries(e.keys).sort(([a], [b]) => (a < b ? -1 : 1))
  const canonical = JSON.stringify([e.process, e.milestone, keys, e.system, e.status ?? 'ok', String(timeNs), e.operation_id ?? '', e.attempt ?? 0])
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32)
}

function attributesOf(e: BusinessEventInput, eventId: string): AttributeMap {
  const attrs: Record<string, string> = {}
  const set = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) attrs[name] = String(value)
  }
  set(BusinessAttr.eventId, eventId)
  set(BusinessAttr.process, e.process)
  set(BusinessAttr.processVersion, e.process_version)
  set(BusinessAttr.milestone, e.milestone)
  set(BusinessAttr.status, e.status ?? 'ok')
  set(BusinessAttr.system, e.system)
  set(BusinessAttr.object, e.object)
  set(BusinessAttr.value, e.value)
  set(BusinessAttr.currency, e.currency)
  set(TenantAttr.id, e.tenant)
  set(IntegrationAttr.name, e.integration)
  set(IntegrationAttr.sourceSystem, e.source_system)
  set(IntegrationAttr.targetSystem, e.target_system)
  set(IntegrationAttr.operationId, e.operation_id)
  set(IntegrationAttr.attempt, e.attempt)
  for (const [keyType, value] of Object.entries(e.keys)) attrs[businessKeyAttribute(keyType)] = value
  // Free-form attributes last, never replacing ours: collector.maxAttributesPerRecord keeps the
  // first attributes of a record, so these are the ones it drops. setAttribute, because a
  // plain assignment would drop an attribute named __proto__ without a word.
  for (const [name, value] of Object.entries(e.attributes ?? {})) {
    if (!Object.hasOwn(attrs, name)) setAttribute(attrs, name, String(value))
  }
  return attrs
}

export interface EventLimits {
  readonly nowNs: bigint
  readonly maxFutureSkewSeconds: number
  /** Oldest time otel_logs keeps (its TTL); undefined when it keeps rows forever. */
  readonly oldestNs?: bigint
}

export function businessEventRow(input: unknown, index: number, limits: EventLimits): EventOutcome {
  if (!validator.Check(input)) return { ok: false, rejection: { index, ...firstError(input) } }
  const e = input
  const timeNs = e.time === undefined ? limits.nowNs : parseEventTime(e.time)
  if (typeof timeNs === 'string') return { ok: false, rejection: { index, field: 'time', message: timeNs } }
  if (timeNs <= 0n) return { ok: false, rejection: { index, field: 'time', message: 'must be after 1970-01-01' } }
  if (timeNs > limits.nowNs + BigInt(limits.maxFutureSkewSeconds) * 1_000_000_000n) {
    return { ok: false, rejection: { index, field: 'time', message: `is more than ${limits.maxFutureSkewSeconds} s in the future` } }
  }
  if (limits.oldestNs !== undefined && timeNs < limits.oldestNs) {
    const oldest = new Date(Number(limits.oldestNs / 1_000_000n)).toISOString()
    const message = `is before ${oldest}, outside the retention of otel_logs (it would be deleted on arrival); load history with \`throughline import\``
    return { ok: false, rejection: { index, field: 'time', message } }
  }
  const eventId = e.event_id ?? derivedEventId(e, timeNs)
  const failed = e.status === 'error'
  return {
    ok: true,
    row: {
      timestampNs: timeNs,
      traceId: (e.trace_id ?? '').toLowerCase(),
      spanId: (e.span_id ?? '').toLowerCase(),
      traceFlags: 0,
      severityText: failed ? 'ERROR' : 'INFO',
      severityNumber: failed ? 17 : 9,
      serviceName: e.system,
      body: e.message ?? e.milestone,
      resourceSchemaUrl: '',
      resourceAttributes: { [OtelAttr.serviceName]: e.system },
      scopeSchemaUrl: '',
      scopeName: 'throughline.events',
      scopeVersion: '1',
      scopeAttributes: {},
      logAttributes: attributesOf(e, eventId),
      eventName: BUSINESS_EVENT_NAME,
    },
  }
}

// One raw record -> one business event of one process, by the definition's rules: which
// milestone (recognise.ts), which keys (the definition's key attributes, then any other
// business.key.*), the status (business.status, else the span's or record's failure), the
// system (business.system, else service.name) and the business time (business.event.time,
// else a span's END: the step happened when its operation finished; a log record's time).
import { createHash } from 'node:crypto'
import { BUSINESS_EVENT_NAME, BUSINESS_STATUSES, BusinessAttr, IntegrationAttr, type BusinessStatus } from '../../core/semconv.ts'
import type { MilestoneName, ProcessDefinition } from '../definitions/index.ts'
import type { BusinessEventRow } from './business-event-row.ts'
import type { RawRecord } from './raw-records.ts'

/** Our own attributes, carried by columns of the event; everything else stays in Attrs. */
const OWN_ATTRIBUTES: ReadonlySet<string> = new Set([
  BusinessAttr.process,
  BusinessAttr.processVersion,
  BusinessAttr.milestone,
  BusinessAttr.status,
  BusinessAttr.system,
  BusinessAttr.eventId,
  BusinessAttr.eventTime,
  IntegrationAttr.operationId,
  IntegrationAttr.attempt,
])

/** OpenTelemetry's ERROR severity range starts at 17. */
const LOG_ERROR_SEVERITY = 17

const isStatus = (text: string | undefined): text is BusinessStatus => BUSINESS_STATUSES.some((status) => status === text)

/** RFC 3339 text or unix nanoseconds as digits; undefined when it is neither. */
export function parseBusinessTime(text: string | undefined): bigint | undefined {
  if (text === undefined || text === '') return undefined
  if (/^\d{1,19}$/.test(text)) return BigInt(text)
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) return undefined
  // Keep sub-millisecond digits that Date drops: .123456789
  const fraction = /\.(\d+)/.exec(text)?.[1] ?? ''
  const extraNs = fraction.length > 3 ? BigInt(fraction.slice(3, 9).padEnd(6, '0')) : 0n
  return BigInt(ms) * 1_000_000n + extraNs
}

function keysOf(definition: ProcessDefinition, attributes: Readonly<Record<string, string>>): Record<string, string> {
  const keys: Record<string, string> = {}
  for (const key of definition.keys) {
    const value = key.attributes.map((name) => attributes[name]).find((v) => v !== undefined && v !== '')
    if (value !== undefined) keys[key.type] = value
  }
  // Keys the definition does not declare are kept (as references: they never link instances).
  for (const [name, value] of Object.entries(attributes)) {
    if (!name.startsWith(BusinessAttr.keyPrefix) || value === '') continue
    const type = name.slice(BusinessAttr.keyPrefix.length)
    if (type !== '' && !Object.hasOwn(keys, type)) keys[type] = value
  }
  return keys
}

/** The sender's event id; else the span itself; else a hash of what the log record says. */
function eventIdOf(record: RawRecord): string {
  const given = record.attributes[BusinessAttr.eventId]
  if (given !== undefined && given !== '') return given
  if (record.signal === 'span') return `${record.traceId}${record.spanId}`
  const attributes = Object.entries(record.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const canonical = JSON.stringify([record.timeNs.toString(), record.traceId, record.spanId, record.eventName, record.body, record.serviceName, attributes])
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32)
}

function statusOf(record: RawRecord): BusinessStatus {
  const given = record.attributes[BusinessAttr.status]
  if (isStatus(given)) return given
  const failed = record.signal === 'span' ? record.spanFailed === true : record.severityNumber >= LOG_ERROR_SEVERITY
  return failed ? 'error' : 'ok'
}

export function deriveEvent(definition: ProcessDefinition, record: RawRecord, milestone: MilestoneName): BusinessEventRow {
  const attrs: Record<string, string> = {}
  for (const [name, value] of Object.entries(record.attributes)) {
    if (!OWN_ATTRIBUTES.has(name) && !name.startsWith(BusinessAttr.keyPrefix)) attrs[name] = value
  }
  const attempt = Number.parseInt(record.attributes[IntegrationAttr.attempt] ?? '', 10)
  return {
    process: definition.name,
    processVersion: definition.version,
    eventId: eventIdOf(record),
    tsNs: parseBusinessTime(record.attributes[BusinessAttr.eventTime]) ?? record.timeNs,
    observedNs: record.ingestedNs,
    milestone,
    status: statusOf(record),
    system: record.attributes[BusinessAttr.system] ?? record.serviceName ?? '',
    keys: keysOf(definition, record.attributes),
    operationId: record.attributes[IntegrationAttr.operationId] ?? '',
    attempt: Number.isSafeInteger(attempt) && attempt > 0 && attempt < 65_536 ? attempt : 0,
    attrs,
    traceId: record.traceId,
    spanId: record.spanId,
    links: record.links,
    source: record.signal === 'span' ? 'span' : record.eventName === BUSINESS_EVENT_NAME ? 'event' : 'log',
  }
}

// The attribute names throughline reads from spans, log records and posted events.
// One list, used by the store's MATERIALIZED columns, the collector's /v1/events mapping,
// the SDK hooks and docs/semantic-conventions.md. Where OpenTelemetry already names a
// thing (messaging.message.id, error.type, http.*), we use its name, not ours.

export const BusinessAttr = {
  /** Process definition name, e.g. `lead_to_cash`. */
  process: 'business.process',
  /** Version of the process definition the emitter knows of (optional). */
  processVersion: 'business.process.version',
  /** The process step this record marks, e.g. `sales_order.created`. */
  milestone: 'business.milestone',
  /** ok | error | retry | cancelled | paused | resumed */
  status: 'business.status',
  /** Prefix of business key attributes: `business.key.order_id = "O1"`. */
  keyPrefix: 'business.key.',
  /** The business object type the record is about, e.g. `sales_order`. */
  object: 'business.object',
  /** The system of record where the step happened (CRM, ERP, WMS...). */
  system: 'business.system',
  /** Business time of the step when it differs from the record's timestamp (RFC 3339 or unix ns). */
  eventTime: 'business.event.time',
  /** Dedupe key of the business event (senders deliver at least once). */
  eventId: 'business.event.id',
  /** Monetary or quantity value carried by the instance, e.g. order amount. */
  value: 'business.value',
  currency: 'business.currency',
} as const

export const TenantAttr = {
  id: 'tenant.id',
} as const

export const IntegrationAttr = {
  /** The integration (flow, interface, job) name, e.g. `crm-to-erp-orders`. */
  name: 'integration.name',
  sourceSystem: 'integration.source.system',
  targetSystem: 'integration.target.system',
  /** Idempotency key of one technical operation; retries share it. */
  operationId: 'integration.operation.id',
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: 'integration.operation.attempt',
  /** `true` on the attempt whose message went to a dead-letter queue: the operation failed for good. */
  deadLetter: 'integration.dead_letter',
} as const

export const SyncAttr = {
  /** `change` at the source, `apply` at the target. */
  side: 'sync.side',
  entityType: 'sync.entity.type',
  entityId: 'sync.entity.id',
  entityVersion: 'sync.entity.version',
  /** When the change happened in the source system (RFC 3339 or unix ns). */
  sourceChangeTime: 'sync.source.change_time',
} as const

/** Standard OpenTelemetry attributes we read (semantic conventions 1.x). */
export const OtelAttr = {
  serviceName: 'service.name',
  messageId: 'messaging.message.id',
  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  /** send, receive, process, ... (semantic conventions 1.26+); older SDKs set messaging.operation. */
  messagingOperationType: 'messaging.operation.type',
  messagingOperationLegacy: 'messaging.operation',
  errorType: 'error.type',
  exceptionType: 'exception.type',
  exceptionMessage: 'exception.message',
  httpResponseStatusCode: 'http.response.status_code',
} as const

export const businessKeyAttribute = (keyType: string): string => `${BusinessAttr.keyPrefix}${keyType}`

/** Name of the log record event that carries a business event posted to /v1/events. */
export const BUSINESS_EVENT_NAME = 'business.event'

/**
 * A business key type as events, imports and the API accept it: a lower-case identifier of
 * at most 64 characters (`order_id`, `so_number`). One definition; JSON schemas take `.source`.
 */
export const KEY_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/

/** The values of business.status, as kpis.md's event model defines them. */
export const BUSINESS_STATUSES = ['ok', 'error', 'retry', 'cancelled', 'paused', 'resumed'] as const

export type BusinessStatus = (typeof BUSINESS_STATUSES)[number]

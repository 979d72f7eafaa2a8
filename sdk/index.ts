// throughline SDK: hooks for integration code on top of the OpenTelemetry API, exported as
// the package's `./sdk` subpath. It stamps the attributes of docs/semantic-conventions.md
// and depends on @opentelemetry/api and core/ only, so any service can adopt it alone.

export { BUSINESS_EVENT_NAME, BusinessAttr, IntegrationAttr, OtelAttr, SyncAttr, TenantAttr } from '../core/semconv.ts'
export {
  businessKeys,
  businessKeyAttributes,
  isKeyType,
  KEY_TYPE_PATTERN,
  MAX_KEY_TYPE_LENGTH,
  MAX_KEY_VALUE_LENGTH,
  MAX_KEYS,
  type BusinessKeys,
  type BusinessKeysInput,
} from './business-keys.ts'
export { BUSINESS_STATUSES, isBusinessStatus, type BusinessStatus } from './business-status.ts'
export { businessKeysFromBaggage, contextWithBusinessKeys, withBusinessKeys } from './baggage-keys.ts'
export type { BusinessFields, IntegrationFields } from './record-attributes.ts'
export { addBusinessKeys, integrationSpanAttributes, startIntegrationSpan, withIntegrationSpan, type IntegrationSpanOptions } from './integration-span.ts'
export { ErrorType, errorTypeOf, IntegrationError, recordIntegrationFailure } from './integration-error.ts'
export { businessEventAttributes, recordBusinessEvent, type BusinessEvent } from './business-event.ts'
export { recordSyncApply, recordSyncChange, type SyncApply, type SyncChange, type SyncSide } from './sync-records.ts'

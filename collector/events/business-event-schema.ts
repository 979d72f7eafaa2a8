// The documented schema of POST /v1/events: business events from systems that cannot run
// an OpenTelemetry SDK (batch jobs, legacy systems, iPaaS webhooks). One TypeBox schema
// feeds validation, the types below and docs/events-api.md.
import { BUSINESS_STATUSES, KEY_TYPE_PATTERN } from '../../core/semconv.ts'
import Type from 'typebox'

const Name = Type.String({ minLength: 1, maxLength: 256 })
// A Record's key schema becomes a patternProperties pattern: only the pattern is checked (not
// minLength/maxLength), and only with additionalProperties: false on the record, so the
// length bounds live in the patterns and both records below refuse keys that do not match.
const KeyType = Type.String({ pattern: KEY_TYPE_PATTERN.source })
// Our own namespaces are set through the named fields, so they are validated (a free-form
// `business.key.X` would add a business key that no key check ever saw).
const AttributeName = Type.String({ pattern: '^(?!(business|integration|sync|tenant)\\.)[\\s\\S]{1,256}$' })

export const BusinessStatusSchema = Type.Union(BUSINESS_STATUSES.map((s) => Type.Literal(s)))

export const BusinessEventSchema = Type.Object(
  {
    event_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'dedupe key; derived from the content when absent' })),
    process: Name,
    process_version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    milestone: Name,
    keys: Type.Record(KeyType, Type.String({ minLength: 1, maxLength: 512 }), { minProperties: 1, maxProperties: 32, additionalProperties: false }),
    status: Type.Optional(BusinessStatusSchema),
    system: Name,
    time: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Integer({ minimum: 1 })], {
        description: 'business time: RFC 3339 with an offset, or unix nanoseconds (number or digit string)',
      }),
    ),
    message: Type.Optional(Type.String({ maxLength: 8192 })),
    object: Type.Optional(Name),
    tenant: Type.Optional(Name),
    integration: Type.Optional(Name),
    source_system: Type.Optional(Name),
    target_system: Type.Optional(Name),
    operation_id: Type.Optional(Name),
    attempt: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    value: Type.Optional(Type.Number()),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    trace_id: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{32}$' })),
    span_id: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{16}$' })),
    attributes: Type.Optional(
      Type.Record(AttributeName, Type.Union([Type.String({ maxLength: 8192 }), Type.Number(), Type.Boolean()]), {
        maxProperties: 128,
        additionalProperties: false,
      }),
    ),
  },
  { additionalProperties: false },
)

export type BusinessEventInput = Type.Static<typeof BusinessEventSchema>

export const MAX_EVENTS_PER_REQUEST = 10_000

export const EventsRequestSchema = Type.Object(
  { events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST }) },
  { additionalProperties: false },
)

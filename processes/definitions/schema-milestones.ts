// The YAML shape of milestones and of how each is recognised in spans and log records. Part
// of the one TypeBox schema (schema.ts) that validates definition files, types the raw
// document and is the field reference of docs/process-definitions.md.
import Type from 'typebox'

const text = (description: string) => Type.String({ minLength: 1, description })

export const TextMatchSchema = Type.Union(
  [
    Type.String({ minLength: 1, description: 'equal to this text' }),
    Type.Object({ equals: text('equal to this text') }, { additionalProperties: false }),
    Type.Object({ contains: text('contains this text') }, { additionalProperties: false }),
    Type.Object(
      { pattern: text('matches this regular expression (JavaScript syntax; anchor it with ^ and $ for a whole match)') },
      { additionalProperties: false },
    ),
  ],
  { description: "a text ('POST /deliveries'), or one of {equals: ...}, {contains: ...}, {pattern: ...}" },
)

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()])

export const ValueMatchSchema = Type.Union(
  [
    Type.String({ description: 'equal to this value' }),
    Type.Number({ description: 'equal to this number, compared as text (attributes are stored as text)' }),
    Type.Boolean({ description: 'equal to true or false, compared as text' }),
    Type.Array(Scalar, { minItems: 1, description: 'equal to one of these values' }),
    Type.Object({ pattern: text('matches this regular expression') }, { additionalProperties: false }),
    Type.Object({ present: Type.Literal(true, { description: 'the attribute is set, whatever its value' }) }, { additionalProperties: false }),
  ],
  { description: "a value (201, 'won'), a list of values, {pattern: ...} or {present: true}" },
)

const Attributes = Type.Record(Type.String({ minLength: 1 }), ValueMatchSchema, {
  description: 'attribute name -> what its value must be; all must match',
})

export const SpanRecogniserSchema = Type.Object(
  {
    from: Type.Literal('span', { description: 'recognise the milestone in spans' }),
    span_name: Type.Optional(TextMatchSchema),
    service: Type.Optional(TextMatchSchema),
    span_kind: Type.Optional(
      Type.Union([Type.Literal('server'), Type.Literal('client'), Type.Literal('producer'), Type.Literal('consumer'), Type.Literal('internal')], {
        description: 'the OpenTelemetry span kind, in lower case',
      }),
    ),
    status: Type.Optional(
      Type.Union([Type.Literal('ok'), Type.Literal('error')], { description: 'only spans that succeeded (ok: status not Error) or failed' }),
    ),
    attributes: Type.Optional(Attributes),
  },
  { additionalProperties: false, description: 'a span is the milestone when every criterion given matches' },
)

export const LogRecogniserSchema = Type.Object(
  {
    from: Type.Literal('log', { description: 'recognise the milestone in log records' }),
    event_name: Type.Optional(TextMatchSchema),
    body: Type.Optional(TextMatchSchema),
    service: Type.Optional(TextMatchSchema),
    attributes: Type.Optional(Attributes),
  },
  { additionalProperties: false, description: 'a log record is the milestone when every criterion given matches' },
)

export const RecogniserSchema = Type.Union([SpanRecogniserSchema, LogRecogniserSchema], {
  description: '{from: span, ...} or {from: log, ...}',
})

export const MilestoneSchema = Type.Object(
  {
    name: text("the step, '<object>.<past participle>' by convention (sales_order.created); the value of business.milestone"),
    description: Type.Optional(Type.String()),
    system: Type.Optional(text('the system expected to emit it (CRM, ERP, WMS...): the watermark guard waits for this system')),
    object: Type.Optional(text('the business object it is about (sales_order)')),
    aliases: Type.Optional(
      Type.Array(text('another business.milestone value meaning the same step'), {
        description: 'other business.milestone values that mean this milestone (a legacy system posting SO_CREATED)',
      }),
    ),
    recognised_by: Type.Optional(
      Type.Array(RecogniserSchema, {
        description: 'how to recognise the milestone in records that do not carry business.milestone; any one matching is enough',
      }),
    ),
  },
  { additionalProperties: false },
)

// The YAML format of a process definition as one TypeBox schema: it validates each file, its
// Static type is the raw document the model builder reads, and its field descriptions are
// the reference in docs/process-definitions.md (a test keeps the two in step).
import Type from 'typebox'
import { MilestoneSchema } from './schema-milestones.ts'

const text = (description: string) => Type.String({ minLength: 1, description })
const names = (description: string) => Type.Array(Type.String({ minLength: 1 }), { description })
const oneOrMore = (description: string) =>
  Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], { description })

export const DurationSchema = Type.String({
  minLength: 1,
  description: "a duration: '90s', '15m', '2h', '1h30m', '3d', '1w' or ISO 8601 'PT2H'",
})

const Clock = Type.Union([Type.Literal('wall'), Type.Literal('business')], {
  description: "'wall' counts elapsed time, 'business' only the calendar's working hours",
})

export const KeySchema = Type.Object(
  {
    type: text('the key type: business.key.<type> on spans, logs and events (order_id)'),
    role: Type.Optional(
      Type.Union([Type.Literal('instance'), Type.Literal('reference')], {
        description:
          "'instance' (default) keys identify one instance and link records into it; 'reference' keys (a customer id) are kept and searchable but never link instances",
      }),
    ),
    attributes: Type.Optional(
      Type.Array(text('an attribute name'), { minItems: 1, description: 'attributes that carry the key; default [business.key.<type>]' }),
    ),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

export const TerminalSchema = Type.Object(
  {
    milestone: text('a milestone that ends the instance'),
    outcome: Type.Union([Type.Literal('completed'), Type.Literal('cancelled'), Type.Literal('failed')], {
      description: 'how the instance ended: completed, cancelled (reported apart) or failed',
    }),
  },
  { additionalProperties: false },
)

export const ChildSchema = Type.Object(
  {
    key: text('key type of the child object (delivery_id)'),
    parent_key: text('key type of the object it belongs to (so_number or the root key)'),
    milestones: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'milestones that happen once per child' }),
    completion: Type.Optional(
      Type.Union([Type.Literal('all'), Type.Literal('any')], {
        description: "the instance reaches a child milestone when 'all' (default) or 'any' of its children have reached it",
      }),
    ),
  },
  { additionalProperties: false },
)

export const EdgeSchema = Type.Object(
  {
    from: text('a milestone'),
    to: oneOrMore('a milestone, or a list of milestones, that may directly follow it'),
  },
  { additionalProperties: false },
)

export const SlaTargetSchema = Type.Union(
  [
    DurationSchema,
    Type.Object(
      {
        by_attribute: text('the attribute that selects the target (customer_tier)'),
        values: Type.Record(Type.String({ minLength: 1 }), DurationSchema, { description: 'attribute value -> target' }),
        default: DurationSchema,
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'a duration, or {by_attribute, values: {gold: 4h}, default: 8h}' },
)

export const SlaSchema = Type.Object(
  {
    name: text('the SLA name, unique in the definition'),
    description: Type.Optional(Type.String()),
    from: Type.Optional(oneOrMore('the clock starts at the first of these milestones; default: the start milestones')),
    to: Type.Optional(oneOrMore("the clock stops at the first of these milestones; default: the 'completed' terminal milestones")),
    target: SlaTargetSchema,
    clock: Type.Optional(Clock),
    at_risk: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'fraction of the target after which an open instance is at risk; default 0.8' }),
    ),
  },
  { additionalProperties: false },
)

export const ThresholdSchema = Type.Union(
  [
    DurationSchema,
    Type.Object(
      {
        min: DurationSchema,
        k: Type.Number({ exclusiveMinimum: 0, description: 'multiplier of the percentile' }),
        percentile: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100, description: 'default 95' })),
        window: Type.Optional(DurationSchema),
      },
      { additionalProperties: false, description: 'dynamic: max(min, k * p<percentile> of the stage over the trailing window (default 28d))' },
    ),
  ],
  { description: 'a duration (static), or {min, k, percentile, window} (dynamic)' },
)

export const StageSchema = Type.Object(
  {
    after: text('the stage is the wait after this milestone until the next progress'),
    threshold: ThresholdSchema,
    clock: Type.Optional(Clock),
  },
  { additionalProperties: false },
)

export const CalendarSchema = Type.Object(
  {
    timezone: text('IANA time zone (Europe/Berlin, Asia/Shanghai, UTC): local days, buckets and working hours'),
    working_hours: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 })), {
        description: "weekday (mon) or range (mon-fri) -> intervals ['08:00-12:00', '13:00-18:00']; absent: open 24x7",
      }),
    ),
    holidays: Type.Optional(names('local dates YYYY-MM-DD without working time')),
    special_days: Type.Optional(
      Type.Array(
        Type.Object(
          {
            date: text('a local date YYYY-MM-DD'),
            hours: Type.Array(Type.String({ minLength: 1 }), { description: 'its working intervals, replacing the weekday hours' }),
            note: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        { description: 'dates with other hours: a Saturday worked to make up for a holiday' },
      ),
    ),
  },
  { additionalProperties: false },
)

export const ValueSchema = Type.Object(
  {
    attribute: Type.Optional(text('the attribute holding the amount; default business.value')),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'a fixed ISO 4217 currency, when every instance uses one' })),
    currency_attribute: Type.Optional(text('the attribute holding the currency; default business.currency')),
  },
  { additionalProperties: false },
)

export const LatenessSchema = Type.Union(
  [
    DurationSchema,
    Type.Object(
      {
        default: DurationSchema,
        by_system: Type.Record(Type.String({ minLength: 1 }), DurationSchema, {
          description: 'system -> allowance, for systems that report late (nightly jobs)',
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'a duration, or {default, by_system: {WMS: 26h}}' },
)

export const ProcessDefinitionSchema = Type.Object(
  {
    name: text('the process name: business.process on records (lead_to_cash)'),
    version: Type.Union([Type.Number(), Type.String({ minLength: 1 })], {
      description: "a positive integer (3) or a semver string ('1.4.0'); KPIs are tagged with it",
    }),
    description: Type.Optional(Type.String()),
    root_key: text('the key type that anchors an instance (order_id)'),
    keys: Type.Array(KeySchema, { minItems: 1, description: 'the key types of the process' }),
    milestones: Type.Array(MilestoneSchema, { minItems: 1, description: 'the steps of the process' }),
    start: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'milestones that start an instance' }),
    terminal: Type.Array(TerminalSchema, { minItems: 1, description: 'milestones that end an instance, with the outcome' }),
    children: Type.Optional(Type.Array(ChildSchema, { description: 'child objects: several deliveries of one order' })),
    flow: Type.Optional(
      Type.Object(
        {
          edges: Type.Optional(Type.Array(EdgeSchema, { description: 'the allowed directly-follows edges (conformance); none: not checked' })),
          mandatory: Type.Optional(names('milestones every completed instance must have')),
        },
        { additionalProperties: false },
      ),
    ),
    rework: Type.Optional(
      Type.Object(
        {
          may_repeat: Type.Optional(names('milestones that may occur more than once without being rework (partial payments)')),
          activities: Type.Optional(names('milestones that are rework whenever they occur (sales_order.changed)')),
        },
        { additionalProperties: false },
      ),
    ),
    slas: Type.Optional(Type.Array(SlaSchema, { description: 'service levels: deadline = from + target' })),
    stages: Type.Optional(Type.Array(StageSchema, { description: 'stuck thresholds per stage' })),
    default_stage_threshold: Type.Optional(ThresholdSchema),
    value: Type.Optional(ValueSchema),
    calendar: Type.Optional(CalendarSchema),
    lateness_allowance: Type.Optional(LatenessSchema),
    clock_skew_tolerance: Type.Optional(DurationSchema),
    n_min: Type.Optional(Type.Integer({ minimum: 1, description: 'fewer samples than this give low_sample: true; default 20' })),
  },
  { additionalProperties: false, title: 'throughline process definition' },
)

/** The document as written in YAML, after schema validation and before the model is built. */
export type ProcessDefinitionDocument = Type.Static<typeof ProcessDefinitionSchema>

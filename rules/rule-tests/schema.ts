// The schema of an alert rule test file (`throughline rules test FILE...`, docs/rule-tests.md):
// promtool's `test rules` layout (rule_files, evaluation_interval, tests[].alert_rule_test
// with eval_time, alertname, exp_alerts) with throughline's inputs and assertions: business
// events and integration spans instead of series, alert states beyond firing (pending,
// recovering, resolved, unknown), the business impact, and the sequence of notifications.
import Type from 'typebox'
import { NOTIFY_REASONS } from '../../notify/index.ts'

const Duration = Type.String({ description: "a duration such as '30s', '5m', '2h', '1h30m'" })
const Time = Type.String({
  minLength: 1,
  description: "an offset from the test's start_timestamp ('90m', '-2h', '1d4h') or an RFC 3339 time with a zone ('2026-11-06T17:00:00+08:00')",
})
const Timestamp = Type.String({ minLength: 1, description: "an RFC 3339 time with a zone, e.g. '2026-11-02T09:00:00+08:00'" })
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()], { description: 'a text, number or true/false' })
const ScalarMap = Type.Record(Type.String({ minLength: 1 }), Scalar)
const Count = Type.Integer({
  minimum: 1,
  maximum: 100_000,
  description: "repeat the input this many times, `every` apart; '{i}' in keys and attributes is 1, 2, ...",
})
const LabelSet = Type.Record(Type.String({ minLength: 1 }), Type.String())

export const EventInputSchema = Type.Object(
  {
    process: Type.Optional(Type.String({ minLength: 1, description: "the process (default: the test's or the file's `process`)" })),
    milestone: Type.String({ minLength: 1 }),
    time: Time,
    observed: Type.Optional(Time),
    keys: Type.Record(Type.String({ minLength: 1 }), Scalar, { minProperties: 1 }),
    system: Type.Optional(Type.String({ description: "the emitting system (default: the milestone's system in the definition)" })),
    status: Type.Optional(Type.String({ minLength: 1 })),
    attrs: Type.Optional(ScalarMap),
    operation_id: Type.Optional(Type.String()),
    attempt: Type.Optional(Type.Integer({ minimum: 0 })),
    id: Type.Optional(Type.String({ minLength: 1 })),
    count: Type.Optional(Count),
    every: Type.Optional(Duration),
  },
  { additionalProperties: false },
)

export const SpanInputSchema = Type.Object(
  {
    time: Time,
    duration: Type.Optional(Duration),
    observed: Type.Optional(Time),
    service: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1 }),
    kind: Type.Optional(Type.Union(['client', 'server', 'internal', 'producer', 'consumer'].map((k) => Type.Literal(k)))),
    status: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('unset')])),
    integration: Type.Optional(Type.String({ minLength: 1, description: 'integration.name' })),
    source_system: Type.Optional(Type.String({ minLength: 1, description: 'integration.source.system' })),
    target_system: Type.Optional(Type.String({ minLength: 1, description: 'integration.target.system' })),
    attrs: Type.Optional(ScalarMap),
    resource: Type.Optional(ScalarMap),
    count: Type.Optional(Count),
    every: Type.Optional(Duration),
  },
  { additionalProperties: false },
)

export const ALERT_TEST_STATES = ['inactive', 'pending', 'firing', 'recovering', 'resolved', 'unknown'] as const
export type AlertTestState = (typeof ALERT_TEST_STATES)[number]
const PHASES = ['inactive', 'pending', 'firing', 'recovering', 'resolved'] as const

export const AlertExpectationSchema = Type.Object(
  {
    exp_labels: Type.Optional(LabelSet),
    exp_state: Type.Optional(Type.Union(ALERT_TEST_STATES.map((s) => Type.Literal(s)))),
    exp_phase: Type.Optional(Type.Union(PHASES.map((s) => Type.Literal(s)))),
    exp_annotations: Type.Optional(
      Type.Object({ summary: Type.Optional(Type.String()), description: Type.Optional(Type.String()) }, { additionalProperties: false }),
    ),
    exp_value: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    exp_impact: Type.Optional(
      Type.Object(
        {
          instances: Type.Optional(Type.Integer({ minimum: 0 })),
          sample_keys: Type.Optional(Type.Array(Type.String())),
          value_at_risk: Type.Optional(
            Type.Array(Type.Object({ currency: Type.String({ minLength: 1 }), amount: Type.Number() }, { additionalProperties: false })),
          ),
          sla_breach_at: Type.Optional(Time),
        },
        { additionalProperties: false },
      ),
    ),
    exp_impact_start: Type.Optional(Time),
  },
  { additionalProperties: false },
)

export const AlertRuleTestSchema = Type.Object(
  {
    eval_time: Time,
    alertname: Type.String({ minLength: 1 }),
    exp_alerts: Type.Optional(Type.Array(AlertExpectationSchema)),
  },
  { additionalProperties: false },
)

export const NotificationExpectationSchema = Type.Object(
  {
    time: Time,
    receiver: Type.String({ minLength: 1 }),
    reason: Type.Union(NOTIFY_REASONS.map((r) => Type.Literal(r))),
    thread: Type.Union([Type.Literal('new'), Type.Literal('same')], {
      description: "'new': the first message of a group episode; 'same': a reply in its thread",
    }),
    status: Type.Optional(Type.Union([Type.Literal('firing'), Type.Literal('resolved')])),
    alerts: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'the alertnames in the message' })),
    title: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

export const NotificationTestSchema = Type.Object(
  {
    config_file: Type.Optional(Type.String({ minLength: 1, description: 'a notify.yaml, relative to this file (or give `config`)' })),
    config: Type.Optional(Type.Unknown({ description: 'notify.yaml inline: route, receivers, ...' })),
    until: Type.Optional(Time),
    exp_notifications: Type.Array(NotificationExpectationSchema),
  },
  { additionalProperties: false },
)

export const RuleTestCaseSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    start_timestamp: Type.Optional(Timestamp),
    evaluation_interval: Type.Optional(Duration),
    rules: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'evaluate only these rules (default: all)' })),
    process: Type.Optional(Type.String({ minLength: 1 })),
    input_events: Type.Optional(Type.Array(EventInputSchema)),
    input_spans: Type.Optional(Type.Array(SpanInputSchema)),
    alert_rule_test: Type.Optional(Type.Array(AlertRuleTestSchema)),
    notification_test: Type.Optional(NotificationTestSchema),
  },
  { additionalProperties: false },
)

export const RuleTestFileSchema = Type.Object(
  {
    rule_files: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'alert rule files or directories, relative to this file' }),
    process_definitions: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: 'process definition files or directories, relative to this file (default: processesDir)' }),
    ),
    evaluation_interval: Type.Optional(Duration),
    start_timestamp: Type.Optional(Timestamp),
    process: Type.Optional(Type.String({ minLength: 1 })),
    tests: Type.Array(RuleTestCaseSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
)

export type RuleTestFileDocument = Type.Static<typeof RuleTestFileSchema>
export type RuleTestCaseDocument = Type.Static<typeof RuleTestCaseSchema>
export type EventInputDocument = Type.Static<typeof EventInputSchema>
export type SpanInputDocument = Type.Static<typeof SpanInputSchema>
export type AlertExpectationDocument = Type.Static<typeof AlertExpectationSchema>
export type NotificationExpectationDocument = Type.Static<typeof NotificationExpectationSchema>

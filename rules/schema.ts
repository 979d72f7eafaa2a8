// The schema of an alert rule file (alert-rules/*.yaml, docs/alert-rules.md). One file holds
// a group of rules with shared defaults; each rule is one of the kinds below, each evaluated
// over the same KPI functions the API answers with.
import Type from 'typebox'

// Checked by the loader with core/durations.ts, whose message says what is wrong.
const Duration = Type.String({ description: 'a duration such as 30s, 5m, 2h, 1d' })
const Labels = Type.Record(Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' }), Type.String())
const Name = Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 100 })

const Common = {
  id: Type.String({ pattern: '^[a-z][a-z0-9_.-]*$', maxLength: 120, description: 'unique across all rule files' }),
  description: Type.Optional(Type.String()),
  for: Type.Optional(Duration),
  keep_firing_for: Type.Optional(Duration),
  interval: Type.Optional(Duration),
  severity: Type.Optional(Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')])),
  labels: Type.Optional(Labels),
  annotations: Type.Optional(
    Type.Object({ summary: Type.Optional(Type.String()), description: Type.Optional(Type.String()) }, { additionalProperties: false }),
  ),
  runbook: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$', description: 'runbook id (runbooks/<id>.md); default: the rule id' })),
  owner: Type.Optional(Type.String()),
  route: Type.Optional(Type.String({ description: 'sets the `route` label notifications route on' })),
  no_data: Type.Optional(
    Type.Union([Type.Literal('ok'), Type.Literal('unknown'), Type.Literal('breach')], { description: 'what an evaluation without data means (default ok)' }),
  ),
  on_error: Type.Optional(Type.Union([Type.Literal('unknown'), Type.Literal('breach')], { description: 'what a failed query means (default unknown)' })),
  min_sample: Type.Optional(Type.Integer({ minimum: 0, description: 'fewer samples than this: UNKNOWN (default: the process n_min, else 0)' })),
  flap_detection: Type.Optional(
    Type.Object(
      {
        window: Type.Optional(Type.Integer({ minimum: 3, maximum: 100, description: 'the last N evaluations (default 10)' })),
        high: Type.Optional(
          Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'state changes, % of the window, that start flapping (default 50)' }),
        ),
        low: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'below this % flapping stops (default 25); less than high' })),
      },
      { additionalProperties: false, description: 'Nagios-style flap detection: notifications held while flapping (not the resolve)' },
    ),
  ),
  source_late_after: Type.Optional(Type.String({ description: 'UNKNOWN for late data this long raises SourceLate{system} (default 30m; 0: never)' })),
}

const Comparison = Type.Union([Type.Literal('>'), Type.Literal('>='), Type.Literal('<'), Type.Literal('<=')])

/** The KPI catalogue of threshold rules, by the kind of data each reads. */
export const PROCESS_KPI_NAMES = [
  'cycle_time_p95_seconds',
  'cycle_time_p50_seconds',
  'completed',
  'sla_attainment',
  'stuck_count',
  'first_pass_yield',
  'instance_failure_rate',
] as const
export const INTEGRATION_KPI_NAMES = ['attempt_error_rate', 'operation_failure_rate', 'latency_p95_ms'] as const
export const SYNC_KPI_NAMES = ['sync_lag_p95_seconds', 'pending_syncs'] as const
/** From messaging spans (processes/kpis/queue-backlog.ts); `where`/`group_by`: messaging_system, destination. */
export const QUEUE_KPI_NAMES = ['queue_backlog', 'queue_oldest_waiting_seconds'] as const
export const KPI_NAMES = [...PROCESS_KPI_NAMES, ...INTEGRATION_KPI_NAMES, ...SYNC_KPI_NAMES, ...QUEUE_KPI_NAMES] as const

export const ThresholdRuleSchema = Type.Object(
  {
    ...Common,
    kind: Type.Literal('threshold'),
    kpi: Type.Union(KPI_NAMES.map((k) => Type.Literal(k))),
    process: Type.Optional(Name),
    sla: Type.Optional(Type.String()),
    where: Type.Optional(Labels),
    group_by: Type.Optional(Type.Array(Type.String())),
    window: Type.Optional(Duration),
    op: Comparison,
    value: Type.Number(),
    clear_value: Type.Optional(Type.Number({ description: 'while firing, the value must pass this to count as OK (flap damping)' })),
  },
  { additionalProperties: false },
)

const BaselineCommon = {
  k: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'band half-width in spreads (default 3)' })),
  min_deviation: Type.Optional(Type.Number({ minimum: 0, description: 'the band is at least this wide either side, in the KPI unit (default 0)' })),
  min_samples: Type.Optional(Type.Integer({ minimum: 1, description: 'past windows with a value needed, else UNKNOWN (default 3)' })),
}

/** Every branch has a literal `method`, so a problem is explained for the method the author wrote. */
export const BaselineSchema = Type.Union([
  Type.Object(
    {
      method: Type.Literal('seasonal'),
      weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 52, description: 'the same hour of the week over the previous N weeks (default 4)' })),
      center: Type.Optional(Type.Union([Type.Literal('median'), Type.Literal('mean')], { description: 'median with MAD (default), or mean with stddev' })),
      ...BaselineCommon,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      method: Type.Literal('ewma'),
      alpha: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'weight of the newest past window' }),
      history: Type.Optional(Type.Integer({ minimum: 2, maximum: 500, description: 'how many past windows (default 24)' })),
      every: Type.Optional(Type.String({ description: 'distance between past windows, a duration (default: the window)' })),
      ...BaselineCommon,
    },
    { additionalProperties: false },
  ),
])

export const AnomalyRuleSchema = Type.Object(
  {
    ...Common,
    kind: Type.Literal('anomaly'),
    kpi: Type.Union(KPI_NAMES.map((k) => Type.Literal(k))),
    process: Type.Optional(Name),
    sla: Type.Optional(Type.String()),
    where: Type.Optional(Labels),
    group_by: Type.Optional(Type.Array(Type.String())),
    window: Type.Optional(Duration),
    direction: Type.Optional(Type.Union([Type.Literal('above'), Type.Literal('below'), Type.Literal('both')], { description: 'default both' })),
    baseline: BaselineSchema,
  },
  { additionalProperties: false },
)

export const StuckRuleSchema = Type.Object(
  { ...Common, kind: Type.Literal('stuck'), process: Name, min_count: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
)

const slaRule = <K extends 'sla_breach' | 'sla_at_risk'>(kind: K) =>
  Type.Object(
    { ...Common, kind: Type.Literal(kind), process: Name, sla: Type.Optional(Type.String()), min_count: Type.Optional(Type.Integer({ minimum: 1 })) },
    { additionalProperties: false },
  )

/** Every branch has a literal `kind`, so a problem is explained for the kind the author wrote. */
export const SlaBreachRuleSchema = slaRule('sla_breach')
export const SlaAtRiskRuleSchema = slaRule('sla_at_risk')

export const AbsenceRuleSchema = Type.Object(
  {
    ...Common,
    kind: Type.Literal('absence'),
    process: Name,
    after: Type.String(),
    expect: Type.String(),
    within: Duration,
    clock: Type.Optional(Type.Union([Type.Literal('wall'), Type.Literal('business')])),
  },
  { additionalProperties: false },
)

export const HeartbeatRuleSchema = Type.Object(
  { ...Common, kind: Type.Literal('heartbeat'), system: Type.String({ minLength: 1 }), silent_for: Duration },
  { additionalProperties: false },
)

export const SqlRuleSchema = Type.Object(
  {
    ...Common,
    kind: Type.Literal('sql'),
    sql: Type.String({ minLength: 1, description: 'read-only; returns a numeric `value` column and one column per label' }),
    op: Comparison,
    value: Type.Number(),
  },
  { additionalProperties: false },
)

export const RuleSchema = Type.Union([
  ThresholdRuleSchema,
  AnomalyRuleSchema,
  StuckRuleSchema,
  SlaBreachRuleSchema,
  SlaAtRiskRuleSchema,
  AbsenceRuleSchema,
  HeartbeatRuleSchema,
  SqlRuleSchema,
])

export const RuleFileSchema = Type.Object(
  {
    group: Type.String({ pattern: '^[a-z][a-z0-9_.-]*$' }),
    interval: Type.Optional(Duration),
    labels: Type.Optional(Labels),
    rules: Type.Array(RuleSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
)

export type RuleFileDocument = Type.Static<typeof RuleFileSchema>
export type RuleDocument = Type.Static<typeof RuleSchema>
export type BaselineDocument = Type.Static<typeof BaselineSchema>

// Integration (technical) KPIs and K6's attempt and operation error rates, per integration,
// system pair and endpoint (span name), over the integration spans of otel_traces whose start
// lies in [from, to). Decisions (error classes, operation outcome, dead letters): docs/kpis/integration-health.md.
import { BusinessAttr, IntegrationAttr, OtelAttr } from '../../core/semconv.ts'
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { KpiQuery } from './kpi-query.ts'

/** Span attribute that marks an attempt whose message went to a dead-letter queue (`true`). */
export const DEAD_LETTER_ATTRIBUTE = IntegrationAttr.deadLetter

/** kpis.md K6: an operation whose last attempt failed is failed once this long passed with no success. */
export const DEFAULT_RETRY_HORIZON_MS = 3_600_000

export const ERROR_CLASSES = ['client', 'timeout', 'server', 'other'] as const
/** client: client/mapping error (4xx, mapping, validation); timeout; server: 5xx; other: anything else. */
export type ErrorClass = (typeof ERROR_CLASSES)[number]

export interface IntegrationScope {
  /** Half-open [from, to) on span start time, ns since the epoch; unset: all time. */
  readonly fromNs?: bigint
  readonly toNs?: bigint
  readonly integration?: string
  readonly sourceSystem?: string
  readonly targetSystem?: string
  /** Only spans of this tenant (tenant.id on the span, else its resource); unset: every tenant. */
  readonly tenant?: string
  /** Default DEFAULT_RETRY_HORIZON_MS. */
  readonly retryHorizonMs?: number
  /** The time an operation's retry horizon is measured to (default: the current time). */
  readonly now?: Date
}

export interface OperationOutcomes {
  /** Last attempt succeeded (after failures or not). */
  readonly succeeded: number
  /** Succeeded after at least one failed attempt (K6 recovery). */
  readonly recovered: number
  /** Last attempt failed and dead-lettered, or failed at least the retry horizon ago. */
  readonly failed: number
  /** Last attempt failed less than the retry horizon ago: undecided, in no rate. */
  readonly inRetry: number
}

export interface IntegrationHealthRow {
  readonly integration: string
  readonly sourceSystem: string
  readonly targetSystem: string
  /** The span name. */
  readonly endpoint: string
  /** Attempts (spans) started in the window. */
  readonly calls: number
  readonly failedCalls: number
  /** (calls - failedCalls) / calls; null without calls. */
  readonly successRate: number | null
  /** failedCalls / calls; null without calls. */
  readonly attemptErrorRate: number | null
  readonly errorsByClass: Readonly<Record<ErrorClass, number>>
  /** errorsByClass / calls; null without calls. */
  readonly errorRateByClass: Readonly<Record<ErrorClass, number | null>>
  /** Span duration of every attempt, exact quantiles interpolated between ranks. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number }
  /** Distinct operations with an attempt in the window (a span without operation id is its own). */
  readonly operations: number
  /** calls - operations. */
  readonly retries: number
  readonly operationOutcomes: OperationOutcomes
  /** failed / (succeeded + failed); null when no operation is decided yet. */
  readonly operationFailureRate: number | null
  /** Operations with an attempt in the window marked as dead-lettered. */
  readonly deadLetters: number
}

interface HealthRow {
  integration: string
  source_system: string
  target_system: string
  endpoint: string
  calls: string
  failed_calls: string
  client: string
  timeout: string
  server: string
  other: string
  latency: [number, number, number]
  latency_max: number
  dead_letters: string
  operations: string
  succeeded_ops: string
  recovered_ops: string
  failed_ops: string
  in_retry_ops: string
}

const INT64_MAX = 9_223_372_036_854_775_807n

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole)

// Failed: span status Error, business.status error, or dead-lettered (the message was not
// delivered, whatever the span's own status). The class follows docs/semantic-conventions.md,
// first match wins; an error.type of three digits is an HTTP status (IntegrationError('503')).
const attemptColumns = `
  Integration AS integration, SourceSystem AS source_system, TargetSystem AS target_system, SpanName AS endpoint,
  if(OperationId != '', OperationId, concat('span:', TraceId, '/', SpanId)) AS operation,
  Attempt AS attempt,
  toUnixTimestamp64Nano(Timestamp) AS start_ns,
  (start_ns + toInt64(Duration)) AS end_ns,
  (Duration / 1e6) AS latency_ms,
  (Timestamp < fromUnixTimestamp64Nano({toNs:Int64})) AS in_window,
  (SpanAttributes[{deadLetterAttribute:String}] = 'true') AS dead_letter,
  (StatusCode = 'Error' OR SpanAttributes['${BusinessAttr.status}'] = 'error' OR dead_letter) AS failed,
  SpanAttributes['${OtelAttr.errorType}'] AS error_type,
  toUInt16OrZero(multiIf(SpanAttributes['${OtelAttr.httpResponseStatusCode}'] != '', SpanAttributes['${OtelAttr.httpResponseStatusCode}'],
                         match(error_type, '^[1-5][0-9][0-9]$'), error_type,
                         SpanAttributes['http.status_code'])) AS http_status,
  multiIf(NOT failed, '',
          positionCaseInsensitive(error_type, 'timeout') > 0 OR positionCaseInsensitive(error_type, 'timedout') > 0 OR http_status IN (408, 504), 'timeout',
          error_type IN ('mapping', 'validation') OR (http_status >= 400 AND http_status < 500), 'client',
          http_status >= 500 AND http_status < 600, 'server',
          'other') AS error_class`

// Spans of the scope from the window start on: those started in the window, and later
// attempts of operations that have one in the window (they decide its outcome). A span sent
// twice (at-least-once delivery) counts once.
const scopedSpans = `spans AS (
  SELECT ${attemptColumns}
  FROM otel_traces
  WHERE Integration != ''
    AND ({integration:String} = '' OR Integration = {integration:String})
    AND ({sourceSystem:String} = '' OR SourceSystem = {sourceSystem:String})
    AND ({targetSystem:String} = '' OR TargetSystem = {targetSystem:String})
    AND ({tenant:String} = '' OR Tenant = {tenant:String})
    AND Timestamp >= fromUnixTimestamp64Nano({fromNs:Int64})
    AND (Timestamp < fromUnixTimestamp64Nano({toNs:Int64})
         OR (OperationId != '' AND OperationId IN (
           SELECT OperationId FROM otel_traces
           WHERE Integration != '' AND OperationId != ''
             AND Timestamp >= fromUnixTimestamp64Nano({fromNs:Int64}) AND Timestamp < fromUnixTimestamp64Nano({toNs:Int64}))))
  LIMIT 1 BY TraceId, SpanId
)`

const GROUP = 'integration, source_system, target_system, endpoint'

// The last attempt (by start, then attempt number) decides an operation's outcome.
const operationOutcomes = `ops AS (
  SELECT ${GROUP}, operation,
         argMax(failed, (start_ns, attempt)) AS last_failed,
         argMax(dead_letter, (start_ns, attempt)) AS last_dead_letter,
         argMax(end_ns, (start_ns, attempt)) AS last_end_ns,
         countIf(failed) AS failures
  FROM spans
  GROUP BY ${GROUP}, operation
  HAVING countIf(in_window) > 0
),
op_stats AS (
  SELECT ${GROUP}, count() AS operations,
         countIf(NOT last_failed) AS succeeded_ops,
         countIf(NOT last_failed AND failures > 0) AS recovered_ops,
         countIf(last_failed AND (last_dead_letter OR {nowNs:Int64} - last_end_ns >= {horizonNs:Int64})) AS failed_ops,
         countIf(last_failed AND NOT last_dead_letter AND {nowNs:Int64} - last_end_ns < {horizonNs:Int64}) AS in_retry_ops
  FROM ops
  GROUP BY ${GROUP}
)`

const attemptStats = `call_stats AS (
  SELECT ${GROUP}, count() AS calls, countIf(failed) AS failed_calls,
         countIf(error_class = 'client') AS client, countIf(error_class = 'timeout') AS timeout,
         countIf(error_class = 'server') AS server, countIf(error_class = 'other') AS other,
         quantilesExactInclusive(0.5, 0.95, 0.99)(latency_ms) AS latency, max(latency_ms) AS latency_max,
         uniqExactIf(operation, dead_letter) AS dead_letters
  FROM spans
  WHERE in_window
  GROUP BY ${GROUP}
)`

function scopeParams(scope: IntegrationScope): Record<string, string> {
  const horizonMs = scope.retryHorizonMs ?? DEFAULT_RETRY_HORIZON_MS
  if (!Number.isInteger(horizonMs) || horizonMs < 0) throw new RangeError(`retryHorizonMs must be a whole number >= 0, got ${horizonMs}`)
  return {
    // Timestamp is a DateTime64(9): its range is 1970 .. 2262-04-11, the whole Int64 from 0.
    fromNs: (scope.fromNs !== undefined && scope.fromNs > 0n ? scope.fromNs : 0n).toString(),
    toNs: (scope.toNs ?? INT64_MAX).toString(),
    deadLetterAttribute: DEAD_LETTER_ATTRIBUTE,
    integration: scope.integration ?? '',
    sourceSystem: scope.sourceSystem ?? '',
    targetSystem: scope.targetSystem ?? '',
    tenant: scope.tenant ?? '',
    nowNs: (BigInt((scope.now ?? new Date()).getTime()) * 1_000_000n).toString(),
    horizonNs: (BigInt(horizonMs) * 1_000_000n).toString(),
  }
}

function healthRow(r: HealthRow): IntegrationHealthRow {
  const calls = Number(r.calls)
  const failedCalls = Number(r.failed_calls)
  const errorsByClass = { client: Number(r.client), timeout: Number(r.timeout), server: Number(r.server), other: Number(r.other) }
  const operations = Number(r.operations)
  const outcomes = { succeeded: Number(r.succeeded_ops), recovered: Number(r.recovered_ops), failed: Number(r.failed_ops), inRetry: Number(r.in_retry_ops) }
  const [p50, p95, p99] = r.latency
  return {
    integration: r.integration,
    sourceSystem: r.source_system,
    targetSystem: r.target_system,
    endpoint: r.endpoint,
    calls,
    failedCalls,
    successRate: ratio(calls - failedCalls, calls),
    attemptErrorRate: ratio(failedCalls, calls),
    errorsByClass,
    errorRateByClass: {
      client: ratio(errorsByClass.client, calls),
      timeout: ratio(errorsByClass.timeout, calls),
      server: ratio(errorsByClass.server, calls),
      other: ratio(errorsByClass.other, calls),
    },
    latencyMs: { p50, p95, p99, max: r.latency_max },
    operations,
    retries: calls - operations,
    operationOutcomes: outcomes,
    operationFailureRate: ratio(outcomes.failed, outcomes.succeeded + outcomes.failed),
    deadLetters: Number(r.dead_letters),
  }
}

/** The SQL of integrationHealth(): one row per (integration, source_system, target_system, endpoint). */
export function integrationHealthQuery(scope: IntegrationScope = {}): KpiQuery {
  return {
    sql: `WITH ${scopedSpans}, ${operationOutcomes}, ${attemptStats}
     SELECT ${GROUP}, calls, failed_calls, client, timeout, server, other, latency, latency_max, dead_letters,
            operations, succeeded_ops, recovered_ops, failed_ops, in_retry_ops
     FROM call_stats INNER JOIN op_stats USING (${GROUP})
     ORDER BY ${GROUP}`,
    params: scopeParams(scope),
  }
}

/** One row per (integration, source system, target system, endpoint) with a call in the window. */
export async function integrationHealth(store: StoreConnection, scope: IntegrationScope = {}): Promise<IntegrationHealthRow[]> {
  const query = integrationHealthQuery(scope)
  const rows = await queryRows<HealthRow>(store, query.sql, query.params, { tag: 'kpi.integration-health' })
  return rows.map(healthRow)
}

// Late data re-evaluation. Two cases, both on event time:
//  - an UNKNOWN stretch (a source behind) ends: the windows evaluated as UNKNOWN are evaluated
//    again at their own event times, from the record as it was before the stretch, so `for`
//    runs on when the data says things happened, not on when it arrived;
//  - data arrives late for windows that breached (an event with business time at or before a
//    breaching evaluation, observed after it): those windows are evaluated again; if none of
//    them breaches now, the alert never truly breached and resolves with reason `late_data`.
// Late arrivals are read from what the rule reads: business_events (business time Ts, arrival
// ObservedTs) for the rules of a process, otel_traces (start Timestamp, arrival IngestedAt) for
// the integration and sync thresholds and anomalies. Heartbeats and SQL rules are not replayed.
import { queryRows, type StoreClient } from '../store/index.ts'
import { observeAlert, type Observed, type ObserveSettings } from './alert-observe.ts'
import type { StoredAlert, TransitionRow } from './alert-store.ts'
import { fingerprint } from './fingerprint.ts'
import { isProcessKpi } from './kpi-measure.ts'
import type { Rule } from './model.ts'
import type { Sample } from './sample.ts'
import { resolveFor } from './state-machine.ts'

/** At most this many past windows are evaluated again at once (a long outage replays its last ones). */
export const MAX_REPLAYED_WINDOWS = 60

/** The event times of the evaluations of an UNKNOWN stretch, from its start up to (not including) `atMs`. */
export function replayTimes(unknownSinceMs: number, atMs: number, intervalMs: number): number[] {
  const times: number[] = []
  for (let t = unknownSinceMs; t < atMs; t += intervalMs) times.push(t)
  return times.slice(-MAX_REPLAYED_WINDOWS)
}

/** Where a rule's late data would show: the events of its process, or spans. */
type LateSource = { readonly kind: 'process'; readonly process: string } | { readonly kind: 'spans' }

function lateSourceOf(rule: Rule): LateSource | undefined {
  if ('process' in rule && rule.process !== undefined) return { kind: 'process', process: rule.process }
  if ((rule.kind === 'threshold' || rule.kind === 'anomaly') && !isProcessKpi(rule.kpi)) return { kind: 'spans' }
  return undefined
}

/**
 * For each breaching window end `t` (ms), the newest arrival (ns) of a row of the source at or
 * before `t` that arrived after `t` and after `sinceMs`: an alert with window `t` got late data
 * since it last looked at `since` when that arrival is later than `since`. One statement for
 * all the alerts of a rule (absence rules hold one alert per instance).
 */
async function lateArrivals(store: StoreClient, source: LateSource, times: readonly number[], sinceMs: number): Promise<Map<number, bigint>> {
  if (times.length === 0) return new Map()
  const [table, at, arrived, scope] =
    source.kind === 'process' ? ['business_events', 'Ts', 'ObservedTs', 'Process = {process:String} AND '] : ['otel_traces', 'Timestamp', 'IngestedAt', '']
  const rows = await queryRows<{ t: string; newestNs: string }>(
    store,
    `SELECT t, toString(max(toUnixTimestamp64Nano(${arrived}))) AS newestNs
     FROM ${table} ARRAY JOIN {times:Array(Int64)} AS t
     WHERE ${scope}${arrived} > fromUnixTimestamp64Milli({since:Int64}, 'UTC')
       AND toUnixTimestamp64Milli(${at}) <= t AND toUnixTimestamp64Milli(${arrived}) > t
     GROUP BY t`,
    { ...(source.kind === 'process' ? { process: source.process } : {}), since: sinceMs, times },
    { tag: 'rules.late-data' },
  )
  return new Map(rows.map((r) => [Number(r.t), BigInt(r.newestNs)]))
}

/** Since when an alert's breaching windows were last checked for late data. */
const lateCheckedSince = (details: StoredAlert['details']): number => details.lateCheckedMs ?? details.breachTimes?.[0] ?? 0

export interface LateDataInput {
  readonly rule: Rule
  readonly atMs: number
  /** This evaluation's samples by fingerprint. */
  readonly current: ReadonlyMap<string, Sample>
  readonly settings: ObserveSettings
  readonly alerts: readonly StoredAlert[]
  readonly store: StoreClient
  /** The rule evaluated at a past event time (no samples and the error when it fails). */
  readonly samplesAt: (atMs: number) => Promise<{ readonly samples: readonly Sample[]; readonly error?: string }>
}

/** What late data changes about the rule's alerts, before this evaluation is applied to them. */
export async function reevaluateLateData(input: LateDataInput): Promise<Observed[]> {
  const { rule, atMs, current, settings } = input
  const source = lateSourceOf(rule)
  const out: Observed[] = []
  const past = new Map<number, Map<string, Sample> | undefined>()
  const sampleAt = async (t: number, fp: string): Promise<Sample | undefined> => {
    if (!past.has(t)) {
      const { samples, error } = await input.samplesAt(t)
      past.set(t, error === undefined ? new Map(samples.map((s) => [fingerprint(rule.id, s.labels), s])) : undefined)
    }
    return past.get(t)?.get(fp)
  }
  // Which breaching windows got late data, for every alert of the rule that may resolve by it.
  const checkable = input.alerts.filter(
    ({ record, details }) => record.ruleId === rule.id && ACTIVE.has(record.phase) && (details.breachTimes ?? []).length > 0,
  )
  const arrivals =
    source === undefined || checkable.length === 0
      ? new Map<number, bigint>()
      : await lateArrivals(
          input.store,
          source,
          [...new Set(checkable.flatMap(({ details }) => details.breachTimes ?? []))].sort((a, b) => a - b),
          Math.min(...checkable.map(({ details }) => lateCheckedSince(details))),
        )
  for (const stored of input.alerts) {
    const { record, details } = stored
    if (record.ruleId !== rule.id) continue
    const fp = record.fingerprint
    const now = current.get(fp)
    if (
      record.lastResult === 'unknown' &&
      details.lateSystems !== undefined &&
      details.beforeUnknown !== undefined &&
      now !== undefined &&
      now.result !== 'unknown'
    ) {
      // The UNKNOWN stretch ends: replay its windows from the record before it.
      const { beforeUnknown, lateSystems: _late, ...rest } = details
      let replayed: StoredAlert = { record: beforeUnknown, details: rest }
      const rows: TransitionRow[] = []
      for (const t of replayTimes(record.unknownSinceMs, atMs, rule.intervalMs)) {
        const sample = await sampleAt(t, fp)
        const result = sample?.result ?? (rule.noData === 'ok' ? 'ok' : rule.noData)
        const observation = {
          atMs: t,
          result,
          value: sample?.value ?? null,
          ...(sample?.impactStartMs !== undefined ? { impactStartMs: sample.impactStartMs } : {}),
        }
        const step = observeAlert(replayed, settings, observation, sample)
        replayed = step.next
        rows.push(...step.transitions.map((row) => ({ ...row, details: `late_data re-evaluation: ${row.details}` })))
      }
      out.push({ next: replayed, transitions: rows })
      continue
    }
    const breaches = details.breachTimes ?? []
    if (source === undefined || !ACTIVE.has(record.phase) || breaches.length === 0) continue
    const sinceNs = BigInt(lateCheckedSince(details)) * 1_000_000n
    if (!breaches.some((t) => (arrivals.get(t) ?? 0n) > sinceNs)) continue
    let stillBreaches = false
    for (const t of breaches) if ((await sampleAt(t, fp))?.result === 'breach') stillBreaches = true
    const checked = { ...details, lateCheckedMs: atMs }
    if (stillBreaches) {
      out.push({ next: { record, details: checked }, transitions: [] })
      continue
    }
    const step = resolveFor(record, 'late_data', atMs)
    const { breachTimes: _breaches, ...kept } = checked
    const next: StoredAlert = { record: step.record, details: { ...kept, reason: 'late_data: its breaching windows do not breach with the late data' } }
    out.push({ next, transitions: step.transitions.map((transition) => ({ record: step.record, transition, details: next.details.reason })) })
  }
  return out
}

const ACTIVE: ReadonlySet<string> = new Set(['pending', 'firing', 'recovering'])

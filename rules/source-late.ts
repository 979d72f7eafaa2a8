// SourceLate{system}: the built-in alert for a source whose watermark stays behind. When an
// alert of some rule has been UNKNOWN on late data from `system` for at least that rule's
// `source_late_after`, SourceLate{system} breaches (it fires at once and resolves at once when
// no alert waits on the system any more). While it fires, it inhibits the alerts that depend on
// the system (rules/notification-hold.ts).
//
// Which alerts depend on a system is known from the rule, not from labels an author might
// forget: a rule with a process reads every system of that process definition (its
// milestones' systems); an integration or sync rule reads the systems in its alert's
// source_system / target_system labels and its `where`; a heartbeat rule reads its system.
// `sql` rules declare nothing, so nothing inhibits them.
import type { ProcessDefinition } from '../processes/index.ts'
import type { StoredAlert } from './alert-store.ts'
import type { Rule } from './model.ts'
import type { Observation } from './state-machine.ts'
import { systemsOf } from './watermarks.ts'

export const SOURCE_LATE = 'SourceLate'
export const SOURCE_LATE_RUNBOOK = 'source-late'
export const SOURCE_LATE_ANNOTATIONS = {
  summary: '{{ $labels.system }} is late: the alerts reading its data are UNKNOWN and their notifications held',
  description: 'Alerts have waited on late data from {{ $labels.system }} beyond their source_late_after; runbook source-late.',
}

/**
 * SourceLate as `runbooks validate` sees a rule (triage's RuleForRunbooks): built in, so it is
 * in no rule file; listing it with the file rules lets runbooks/source-late.md apply to it.
 */
export const SOURCE_LATE_FOR_RUNBOOKS = {
  id: SOURCE_LATE,
  labels: ['alertname', 'system'],
  runbook: SOURCE_LATE_RUNBOOK,
  file: 'rules/source-late.ts',
  line: 1,
} as const

export const sourceLateLabels = (system: string): Readonly<Record<string, string>> => ({ alertname: SOURCE_LATE, system })

/** The systems some alert has been UNKNOWN on, for late data, for at least its rule's limit. */
export function systemsLateBeyondLimit(alerts: Iterable<StoredAlert>, rules: ReadonlyMap<string, Rule>, atMs: number): Set<string> {
  const late = new Set<string>()
  for (const { record, details } of alerts) {
    const rule = rules.get(record.ruleId)
    if (rule === undefined || rule.sourceLateAfterMs === 0 || record.lastResult !== 'unknown' || record.unknownSinceMs === 0) continue
    if (atMs - record.unknownSinceMs < rule.sourceLateAfterMs) continue
    for (const system of details.lateSystems ?? []) late.add(system)
  }
  return late
}

/**
 * This cycle's observation of every SourceLate alert: BREACH for the systems late beyond the
 * limit, OK for those that have an alert and are not (any more).
 */
export function sourceLateObservations(
  alerts: Iterable<StoredAlert>,
  late: ReadonlySet<string>,
  atMs: number,
): Array<{ readonly system: string; readonly observation: Observation }> {
  const systems = new Set(late)
  for (const { record } of alerts) if (record.ruleId === SOURCE_LATE && record.labels.system !== undefined) systems.add(record.labels.system)
  return [...systems].sort().map((system) => ({ system, observation: { atMs, result: late.has(system) ? 'breach' : 'ok', value: null } }))
}

/** The systems whose data an alert of `rule` with these labels reads. */
export function dependsOnSystems(rule: Rule, labels: Readonly<Record<string, string>>, definitions: ReadonlyMap<string, ProcessDefinition>): Set<string> {
  const systems = new Set<string>()
  const process = 'process' in rule && rule.process !== undefined ? definitions.get(rule.process) : undefined
  if (process !== undefined) for (const s of systemsOf(process)) systems.add(s)
  if (rule.kind === 'heartbeat') systems.add(rule.system)
  if (rule.kind === 'threshold' || rule.kind === 'anomaly') {
    for (const name of ['source_system', 'target_system'] as const) {
      const value = labels[name] ?? rule.where[name]
      if (value !== undefined && value !== '') systems.add(value)
    }
  }
  return systems
}

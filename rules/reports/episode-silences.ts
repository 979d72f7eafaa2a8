// The silences that muted an alert while it fired: those in force at some instant of the
// firing stretch whose matchers match the alert's routing labels. Matching is the notifiers'
// own (activeSilences + matchesAll), asked at the instant each candidate silence took hold,
// so a report never disagrees with what was actually held back.
import { activeSilences, matchesAll, type LabelSet, type Severity } from '../../notify/index.ts'
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { SilenceEntry } from './model.ts'

export interface SilencedAlert {
  readonly ruleId: string
  readonly severity: Severity
  readonly labels: Readonly<Record<string, string>>
}

const operatorOf = (regex: boolean, equal: boolean): string => (regex ? (equal ? '=~' : '!~') : equal ? '=' : '!=')
const iso = (ms: number): string => new Date(ms).toISOString()

export async function silencesDuring(store: StoreConnection, alert: SilencedAlert, fromMs: number, toMs: number): Promise<SilenceEntry[]> {
  const candidates = await queryRows<{ SilenceId: string; startsMs: string }>(
    store,
    `SELECT SilenceId, toString(toUnixTimestamp64Milli(StartsAt)) AS startsMs FROM silences FINAL
     WHERE StartsAt < fromUnixTimestamp64Milli({to:Int64}) AND EndsAt > fromUnixTimestamp64Milli({from:Int64})
     ORDER BY StartsAt, SilenceId`,
    { from: String(fromMs), to: String(toMs) },
    { tag: 'reports.silences' },
  )
  // The labels routing, grouping and silences see (notify's routingLabels): alertname and severity first.
  const labels: LabelSet = { alertname: alert.ruleId, severity: alert.severity, ...alert.labels }
  const out: SilenceEntry[] = []
  for (const candidate of candidates) {
    const at = Math.max(Number(candidate.startsMs), fromMs)
    const silence = (await activeSilences(store, at)).find((s) => s.id === candidate.SilenceId)
    if (silence === undefined || !matchesAll(silence.compiled, labels)) continue
    out.push({
      id: silence.id,
      matchers: silence.matchers.map((m) => `${m.name}${operatorOf(m.isRegex, m.isEqual ?? true)}${JSON.stringify(m.value)}`).join(', '),
      startsAt: iso(silence.startsAtMs),
      endsAt: iso(silence.endsAtMs),
      createdBy: silence.createdBy,
      comment: silence.comment,
    })
  }
  return out
}

// The incidents of a period: every episode that fired in [from, to), and per rule, per
// process and in total the counts, MTTA and MTTR. The per-rule figures are K11 as the alert
// KPIs compute it (alertKpis, per rule and month, folded here over the months), so this
// report and /api/v1/alerts/kpis never disagree.
import { ErrorCode, ThroughlineError } from '../../core/errors.ts'
import { queryRows, type StoreConnection } from '../../store/index.ts'
import { alertKpis, type AlertKpiRow } from '../alert-queries.ts'
import { parseReportTime } from './episode-key.ts'
import { episodeReportPath } from './incident-report.ts'
import type { EpisodeStats, EpisodeSummary, IncidentsReport, ReportContext } from './model.ts'

interface EpisodeRow {
  EpisodeId: string
  Fingerprint: string
  RuleId: string
  Labels: Record<string, string>
  firedMs: string
  resolvedMs: string
  resolveReason: string
  ackMs: string
}

const isoOrNull = (ms: number): string | null => (ms > 0 ? new Date(ms).toISOString() : null)

/** K11 rows folded together: counts add up, the means are weighted by what they average over. */
function fold(rows: readonly AlertKpiRow[]): EpisodeStats {
  const sum = (pick: (r: AlertKpiRow) => number): number => rows.reduce((total, r) => total + pick(r), 0)
  const acknowledged = sum((r) => r.acknowledged)
  const resolved = sum((r) => r.resolved)
  return {
    episodes: sum((r) => r.episodes),
    acknowledged,
    mttaSeconds: acknowledged === 0 ? null : sum((r) => (r.mttaSeconds ?? 0) * r.acknowledged) / acknowledged,
    resolved,
    mttrSeconds: resolved === 0 ? null : sum((r) => (r.mttrSeconds ?? 0) * r.resolved) / resolved,
  }
}

async function episodesFired(store: StoreConnection, fromMs: number, toMs: number): Promise<EpisodeRow[]> {
  return queryRows<EpisodeRow>(
    store,
    `WITH episodes AS (
       SELECT EpisodeId, any(Fingerprint) AS Fingerprint, any(RuleId) AS RuleId, any(Labels) AS Labels,
              minIf(EventTimeMs, ToState = 'firing') AS fired, minIf(EventTimeMs, ToState = 'resolved') AS resolved,
              argMinIf(Reason, EventTimeMs, ToState = 'resolved') AS resolveReason
       FROM alert_transitions WHERE EpisodeId != '' GROUP BY EpisodeId HAVING countIf(ToState = 'firing') > 0
     ),
     acks AS (SELECT EpisodeId, toUnixTimestamp64Milli(min(At)) AS ack FROM alert_actions WHERE Action = 'ack' GROUP BY EpisodeId)
     SELECT EpisodeId, Fingerprint, RuleId, Labels, toString(fired) AS firedMs, toString(resolved) AS resolvedMs, resolveReason, toString(acks.ack) AS ackMs
     FROM episodes LEFT JOIN acks USING (EpisodeId)
     WHERE fired >= {from:Int64} AND fired < {to:Int64}
     ORDER BY fired, EpisodeId`,
    { from: String(fromMs), to: String(toMs) },
    { tag: 'reports.episodes' },
  )
}

export async function incidentsReport(
  store: StoreConnection,
  range: { readonly from: string; readonly to: string },
  context: ReportContext,
): Promise<IncidentsReport> {
  const fromMs = parseReportTime('from', range.from)
  const toMs = parseReportTime('to', range.to)
  if (!(fromMs < toMs)) throw new ThroughlineError(ErrorCode.badRequest, `from: must be before to (${range.from} >= ${range.to})`, 400)
  const rulesById = new Map(context.rules.map((r) => [r.id, r]))
  const processOf = (ruleId: string, labels: Readonly<Record<string, string>>): string | null => {
    const rule = rulesById.get(ruleId)
    return (rule !== undefined && 'process' in rule ? rule.process : undefined) ?? labels.process ?? null
  }
  const rows = await episodesFired(store, fromMs, toMs)
  const episodes: EpisodeSummary[] = rows.map((r) => {
    const startMs = Number(r.EpisodeId.slice(r.EpisodeId.lastIndexOf('@') + 1))
    const fired = Number(r.firedMs)
    const resolved = Number(r.resolvedMs)
    const ack = Number(r.ackMs)
    return {
      fingerprint: r.Fingerprint,
      episodeId: r.EpisodeId,
      start: new Date(startMs).toISOString(),
      ruleId: r.RuleId,
      process: processOf(r.RuleId, r.Labels),
      severity: rulesById.get(r.RuleId)?.severity ?? null,
      labels: r.Labels,
      firedAt: new Date(fired).toISOString(),
      acknowledgedAt: isoOrNull(ack),
      resolvedAt: isoOrNull(resolved),
      resolveReason: resolved > 0 ? r.resolveReason : null,
      timeToAcknowledgeSeconds: ack > 0 ? (ack - fired) / 1000 : null,
      timeToResolveSeconds: resolved > 0 ? (resolved - fired) / 1000 : null,
      report: `${context.baseUrl}${episodeReportPath(r.Fingerprint, startMs)}`,
    }
  })
  const kpis = await alertKpis(store, fromMs, toMs)
  const ruleIds = [...new Set(kpis.map((k) => k.ruleId))]
  const rules = ruleIds.map((ruleId) => {
    const labels = episodes.find((e) => e.ruleId === ruleId)?.labels ?? {}
    return { ruleId, process: processOf(ruleId, labels), ...fold(kpis.filter((k) => k.ruleId === ruleId)) }
  })
  const processNames = [...new Set(rules.map((r) => r.process).filter((p): p is string => p !== null))].sort()
  const processes = processNames.map((process) => {
    const ofProcess = new Set(rules.filter((r) => r.process === process).map((r) => r.ruleId))
    return { process, ...fold(kpis.filter((k) => ofProcess.has(k.ruleId))) }
  })
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    totals: fold(kpis),
    rules,
    processes,
    episodes,
    generatedAt: new Date((context.now ?? Date.now)()).toISOString(),
  }
}

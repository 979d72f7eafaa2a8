// The incident review report of one alert episode: everything the store holds about it,
// told in time order with its durations, its business impact from the KPI functions, the
// runbook and its diagnostics, and what to review. The API and the CLI both call this.
import { ErrorCode, ThroughlineError } from '../../core/errors.ts'
import type { AlertImpact } from '../../notify/index.ts'
import type { StoreConnection } from '../../store/index.ts'
import { businessImpact } from './business-impact.ts'
import { episodeKey } from './episode-key.ts'
import { episodeRows, episodeStarts, type DiagnosticFact } from './episode-rows.ts'
import { silencesDuring } from './episode-silences.ts'
import { episodeStory } from './episode-timeline.ts'
import type { DiagnosticResult, IncidentReport, ReportContext } from './model.ts'
import { DEFAULT_ACK_TARGET_SECONDS, reviewPoints } from './review-points.ts'

/** Label names that say which integration an alert is about. */
const INTEGRATION_LABELS = ['integration', 'system', 'source_system'] as const

function diagnosticResults(facts: readonly DiagnosticFact[], titles: Readonly<Record<string, string>>): DiagnosticResult[] {
  return facts.map((d) => ({
    at: new Date(d.atMs).toISOString(),
    step: d.step,
    title: titles[d.step] ?? d.step,
    phase: d.phase,
    rows: JSON.parse(d.rows || '[]') as Array<Record<string, unknown>>,
    truncated: d.truncated,
    error: d.error,
    durationMs: d.durationMs,
  }))
}

export function episodeReportPath(fingerprint: string, startMs: number): string {
  return `/api/v1/alerts/${fingerprint}/episodes/${startMs}/report`
}

/** Throws TL_BAD_REQUEST for a malformed fingerprint or start, TL_NOT_FOUND for no such episode. */
export async function incidentReport(store: StoreConnection, fingerprint: string, start: string, context: ReportContext): Promise<IncidentReport> {
  const key = episodeKey(fingerprint, start)
  const nowMs = (context.now ?? Date.now)()
  const rows = await episodeRows(store, key)
  const head = rows.transitions[0]
  if (head === undefined) {
    const starts = await episodeStarts(store, fingerprint)
    const known =
      starts.length === 0 ? 'the alert has no episodes' : `its episodes start at ${starts.map((ms) => `${new Date(ms).toISOString()} (${ms})`).join(', ')}`
    throw new ThroughlineError(
      ErrorCode.notFound,
      `start: alert ${fingerprint} has no episode starting at ${new Date(key.startMs).toISOString()}; ${known}`,
      404,
    )
  }
  const rule = context.rules.find((r) => r.id === head.ruleId)
  const labels = head.labels
  const processName = rule !== undefined && 'process' in rule && rule.process !== undefined ? rule.process : labels.process
  const definition = processName === undefined ? undefined : context.definitions.find((d) => d.name === processName)
  const severity = rule?.severity ?? 'warning'
  const runbook = context.runbookOf?.({ ruleId: head.ruleId, labels, runbook: rule?.runbook ?? head.ruleId })
  const diagnostics = diagnosticResults(rows.diagnostics, runbook?.stepTitles ?? {})
  const timers = rule === undefined ? undefined : { forMs: rule.forMs, keepFiringForMs: rule.keepFiringForMs }

  const firedMs = rows.transitions.find((t) => t.to === 'firing')?.atMs ?? null
  const resolvedMs = rows.transitions.find((t) => t.to === 'resolved')?.atMs ?? null
  const silences = firedMs === null ? [] : await silencesDuring(store, { ruleId: head.ruleId, severity, labels }, firedMs, resolvedMs ?? nowMs)
  const story = episodeStory({ key, rows, silences, diagnostics, timers, nowMs })

  // As the first message said it while firing; the stored record holds the latest evaluation's
  // (e.g. "0 stuck" once resolved), and only while this episode is the alert's current one.
  const notified = rows.notifications.find((n) => n.alert !== undefined)?.alert
  const stored = notified?.impact ?? (rows.state?.details.impact as AlertImpact | undefined)
  const impactEnd = story.times.conditionClearedAt === null ? (resolvedMs ?? nowMs) : Date.parse(story.times.conditionClearedAt)
  const impact = await businessImpact(store, {
    definition,
    ruleKind: rule?.kind ?? null,
    labels,
    fromMs: key.startMs,
    toMs: Math.max(impactEnd, key.startMs + 1),
    firedMs,
    reported: stored === undefined ? null : { instances: stored.instances, valueAtRisk: stored.valueAtRisk, sampleKeys: stored.sampleKeys },
  })
  const summary = notified?.summary || (rows.state?.details.summary ?? '')
  const review = reviewPoints({
    status: story.status,
    severity,
    times: story.times,
    durations: story.durations,
    flaps: story.flaps,
    notifications: story.notifications,
    silences,
    runbook: runbook === undefined ? null : { id: runbook.id, title: runbook.title, url: runbook.url },
    diagnostics,
    timers: rule === undefined ? undefined : { forMs: rule.forMs, intervalMs: rule.intervalMs },
    ackTargetSeconds: context.ackTargetSeconds ?? DEFAULT_ACK_TARGET_SECONDS,
    nowMs,
  })
  const integration = INTEGRATION_LABELS.map((name) => labels[name]).find((v) => v !== undefined && v !== '') ?? null
  return {
    title: `${severity.toUpperCase()} ${head.ruleId}${summary === '' ? '' : `: ${summary}`}`,
    fingerprint,
    episodeId: key.episodeId,
    status: story.status,
    rule: {
      id: head.ruleId,
      kind: rule?.kind ?? null,
      severity,
      owner: rule?.owner ?? '',
      forSeconds: rule === undefined ? null : rule.forMs / 1000,
      keepFiringForSeconds: rule === undefined ? null : rule.keepFiringForMs / 1000,
    },
    labels,
    process: processName ?? null,
    integration,
    summary,
    times: story.times,
    durations: story.durations,
    flaps: story.flaps,
    timeline: story.timeline,
    notifications: story.notifications,
    silences,
    impact,
    runbook: runbook === undefined ? null : { id: runbook.id, title: runbook.title, url: runbook.url },
    diagnostics: {
      fired: diagnostics.filter((d) => d.phase === 'fired'),
      resolved: diagnostics.filter((d) => d.phase === 'resolved'),
      manual: diagnostics.filter((d) => d.phase === 'manual'),
    },
    review,
    links: { alert: `${context.baseUrl}/api/v1/alerts/${fingerprint}`, report: `${context.baseUrl}${episodeReportPath(fingerprint, key.startMs)}` },
    generatedAt: new Date(nowMs).toISOString(),
  }
}

// The reports as Markdown, for pasting into a postmortem document: plain string building,
// every data value escaped (markdown-text.ts), every table well formed.
import { durationText } from './episode-timeline.ts'
import { mdLink, mdTable, mdText, mdTime } from './markdown-text.ts'
import type { DiagnosticResult, EpisodeStats, IncidentReport, IncidentsReport } from './model.ts'

const seconds = (value: number | null): string => (value === null ? '-' : `${durationText(value)} (${Math.round(value * 1000) / 1000} s)`)
const money = (values: ReadonlyArray<{ currency: string; amount: number }>): string =>
  values.length === 0 ? 'none recorded' : values.map((v) => `${v.amount} ${v.currency}`).join(', ')

function diagnosticsSection(heading: string, results: readonly DiagnosticResult[]): string[] {
  if (results.length === 0) return []
  const out = [`### ${heading}`, '']
  for (const d of results) {
    out.push(`#### ${mdText(d.title)} (${mdText(d.step)})`, '')
    out.push(`Run ${mdText(mdTime(d.at))} in ${d.durationMs} ms${d.truncated ? '; more rows existed than kept' : ''}.`, '')
    if (d.error !== '') {
      out.push(`Failed: ${mdText(d.error)}`, '')
      continue
    }
    const columns = [...new Set(d.rows.flatMap((row) => Object.keys(row)))]
    out.push(
      columns.length === 0
        ? '_(no rows)_'
        : mdTable(
            columns,
            d.rows.map((row) => columns.map((c) => row[c])),
          ),
      '',
    )
  }
  return out
}

export function incidentMarkdown(r: IncidentReport): string {
  const t = r.times
  const d = r.durations
  const status = r.status === 'resolved' ? `resolved (${t.resolveReason ?? ''})` : r.status
  const out: string[] = [`# Incident review: ${mdText(r.title)}`, '']
  out.push(
    mdTable(
      ['Field', 'Value'],
      [
        ['Rule', `${r.rule.id}${r.rule.kind === null ? ' (no longer in the rule files)' : ` (${r.rule.kind})`}`],
        ['Severity', r.rule.severity],
        ['Status', status],
        ['Process', r.process ?? '-'],
        ['Integration', r.integration ?? '-'],
        ['Owner', r.rule.owner || '-'],
        [
          'Labels',
          Object.entries(r.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || '-',
        ],
        ['Episode', r.episodeId],
        ['Impact window', `${mdTime(r.impact.window.from)} to ${mdTime(r.impact.window.to)}`],
        ['Alert', mdLink(r.links.alert, r.links.alert)],
      ],
    ),
    '',
  )
  if (r.summary !== '') out.push(`> ${mdText(r.summary)}`, '')

  out.push('## Durations', '')
  out.push(
    mdTable(
      ['Measure', 'Duration', 'From', 'To'],
      [
        ['Time to detect', seconds(d.timeToDetectSeconds), 'impact start', 'firing'],
        ['Time to notify', seconds(d.timeToNotifySeconds), 'impact start', 'first notification delivered'],
        ['Time to acknowledge (MTTA)', seconds(d.timeToAcknowledgeSeconds), 'firing', 'first acknowledgement'],
        ['Time to resolve (MTTR)', seconds(d.timeToResolveSeconds), 'firing', 'resolved'],
        ['Impact duration', seconds(d.impactDurationSeconds), 'impact start', 'condition cleared'],
        ['Cleared to resolved', seconds(d.clearedToResolvedSeconds), 'condition cleared', 'resolved'],
      ],
    ),
    '',
  )
  out.push(
    mdTable(
      ['Moment', 'Time'],
      [
        ['Impact start (first breaching event)', mdTime(t.impactStart)],
        ['Pending', mdTime(t.pendingSince)],
        ['Firing', mdTime(t.firedAt)],
        ['First notification delivered', mdTime(t.firstNotifiedAt)],
        ['Acknowledged', mdTime(t.acknowledgedAt)],
        ['Condition cleared', mdTime(t.conditionClearedAt)],
        ['Resolved', mdTime(t.resolvedAt)],
      ],
    ),
    '',
  )

  out.push('## Timeline', '')
  out.push(
    mdTable(
      ['Time', 'Event', 'Who', 'Details'],
      r.timeline.map((e) => [mdTime(e.at), e.kind.replace(/_/g, ' '), e.who, e.details]),
    ),
    '',
  )

  const i = r.impact
  out.push('## Business impact', '')
  out.push(
    mdTable(
      ['Measure', 'Value'],
      [
        ['Instances affected', i.instancesAffected ?? 'unknown'],
        ['Value at risk', money(i.valueAtRisk)],
        ['Sample business keys', i.sampleKeys.join(', ') || '-'],
        ['Stuck when it fired', i.stuckAtFiring === null ? '-' : `${i.stuckAtFiring.stuck} (${money(i.stuckAtFiring.valueAtRisk)})`],
      ],
    ),
    '',
  )
  if (i.slaBreaches.length > 0) {
    out.push(`SLAs with deadlines in the impact window (${mdText(mdTime(i.window.from))} to ${mdText(mdTime(i.window.to))}):`, '')
    out.push(
      mdTable(
        ['SLA', 'Due', 'Met', 'Breached', 'Open past deadline', 'Breached keys'],
        i.slaBreaches.map((s) => [s.sla, s.due, s.met, s.breached, s.breachedOpen, s.sampleKeys.join(', ')]),
      ),
      '',
    )
  }

  out.push('## Notifications', '')
  out.push(
    mdTable(
      ['Intended', 'Receiver', 'Channel', 'Reason', 'Status', 'Attempts', 'Delivered'],
      r.notifications.map((n) => [
        mdTime(n.intendedAt),
        n.receiver,
        n.channel,
        n.reason,
        n.status + (n.error ? `: ${n.error}` : ''),
        n.attempts,
        mdTime(n.deliveredAt),
      ]),
      'no notification recorded',
    ),
    '',
  )
  if (r.silences.length > 0) {
    out.push('Silences that matched while it fired:', '')
    out.push(
      mdTable(
        ['Silence', 'Matchers', 'From', 'To', 'By', 'Why'],
        r.silences.map((s) => [s.id, s.matchers, mdTime(s.startsAt), mdTime(s.endsAt), s.createdBy, s.comment]),
      ),
      '',
    )
  }

  out.push('## Runbook', '')
  out.push(r.runbook === null ? '_No runbook._' : `${mdLink(r.runbook.title, r.runbook.url).markdown} (${mdText(r.runbook.id)})`, '')
  out.push(...diagnosticsSection('Diagnostics when it fired', r.diagnostics.fired))
  out.push(...diagnosticsSection('Diagnostics when it resolved', r.diagnostics.resolved))
  out.push(...diagnosticsSection('Diagnostics run by hand', r.diagnostics.manual))

  out.push('## What to review', '')
  out.push(
    r.review.length === 0
      ? '_Nothing stands out: detected, notified, acknowledged and resolved within target._'
      : r.review.map((p) => `- **${p.kind.replace(/_/g, ' ')}**: ${mdText(p.message)}`).join('\n'),
    '',
  )
  out.push(`_Generated ${mdText(mdTime(r.generatedAt))} by throughline from the stored alert history._`, '')
  return out.join('\n')
}

const statsRow = (s: EpisodeStats): unknown[] => [s.episodes, s.acknowledged, seconds(s.mttaSeconds), s.resolved, seconds(s.mttrSeconds)]

export function incidentsMarkdown(r: IncidentsReport): string {
  const out: string[] = [`# Incidents ${mdText(mdTime(r.from))} to ${mdText(mdTime(r.to))}`, '']
  const statsHeader = ['Episodes', 'Acknowledged', 'MTTA', 'Resolved', 'MTTR']
  out.push(mdTable(statsHeader, [statsRow(r.totals)]), '')
  out.push('## Per rule', '')
  out.push(
    mdTable(
      ['Rule', 'Process', ...statsHeader],
      r.rules.map((s) => [s.ruleId, s.process ?? '-', ...statsRow(s)]),
      'no episode fired in the period',
    ),
    '',
  )
  if (r.processes.length > 0) {
    out.push('## Per process', '')
    out.push(
      mdTable(
        ['Process', ...statsHeader],
        r.processes.map((s) => [s.process, ...statsRow(s)]),
      ),
      '',
    )
  }
  out.push('## Episodes', '')
  out.push(
    mdTable(
      ['Fired', 'Rule', 'Severity', 'Labels', 'Acknowledged after', 'Resolved after', 'Resolve reason', 'Report'],
      r.episodes.map((e) => [
        mdTime(e.firedAt),
        e.ruleId,
        e.severity ?? '-',
        Object.entries(e.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
        e.timeToAcknowledgeSeconds === null ? '-' : durationText(e.timeToAcknowledgeSeconds),
        e.timeToResolveSeconds === null ? 'open' : durationText(e.timeToResolveSeconds),
        e.resolveReason ?? '-',
        // People follow it: to the report as a page, not its JSON.
        mdLink('report', `${e.report}?format=html`),
      ]),
      'no episode fired in the period',
    ),
    '',
  )
  out.push(`_Generated ${mdText(mdTime(r.generatedAt))} by throughline. MTTA and MTTR are K11, as /api/v1/alerts/kpis computes them._`, '')
  return out.join('\n')
}

// The content of a notification as sections of labelled lines, rendered once as plain text
// and once as HTML from the same sections, so the two parts of an email cannot disagree.
import { etaText, formatMoney, notificationFacts, reasonText, type Notification } from '../notification.ts'

export interface Line {
  readonly label?: string
  readonly text: string
  readonly href?: string
}

export interface Section {
  readonly heading?: string
  readonly lines: readonly Line[]
}

const line = (label: string, text: string | undefined): Line[] => (text === undefined || text === '' ? [] : [{ label, text }])

function findingText(f: { readonly title: string; readonly rows: readonly unknown[]; readonly truncated: boolean; readonly error?: string }): string {
  if (f.error !== undefined) return `${f.title}: failed (${f.error})`
  return `${f.title}: ${f.rows.length}${f.truncated ? '+' : ''} row${f.rows.length === 1 ? '' : 's'}`
}

export function messageSections(n: Notification): Section[] {
  const facts = notificationFacts(n)
  const h = facts.headline
  const state = n.status === 'resolved' ? 'RESOLVED' : 'FIRING'
  const sections: Section[] = [
    {
      heading: `${state} · ${facts.severity.toUpperCase()} · ${reasonText(n.reason)}`,
      lines: [{ text: n.title }, ...line('Summary', h.annotations.summary), ...line('Description', h.annotations.description)],
    },
    {
      heading: 'Impact',
      lines: [
        ...line('Process', facts.process),
        ...line('Integration', facts.integration),
        { label: 'Instances affected', text: String(facts.instances) },
        ...line('Value at risk', facts.valueAtRisk.map(formatMoney).join(', ')),
        ...line('SLA breach', facts.slaBreachAt === undefined ? undefined : etaText(facts.slaBreachAt, n.intendedAtMs)),
        ...line('Sample keys', facts.sampleKeys.join(', ')),
      ],
    },
  ]
  if (facts.findings.length > 0) sections.push({ heading: 'Top findings', lines: facts.findings.map((f) => ({ text: findingText(f) })) })
  sections.push({
    heading: `Alerts (${facts.firing.length} firing, ${facts.resolved.length} resolved)`,
    lines: [...facts.firing, ...facts.resolved].map((a) => ({
      label: a.state === 'firing' ? `${a.severity}${a.acknowledged ? ', acknowledged' : ''}` : 'resolved',
      text: `${a.annotations.summary || a.ruleId} (since ${a.startsAt}${a.resolvedAt === undefined ? '' : `, resolved ${a.resolvedAt}`})`,
    })),
  })
  sections.push({
    heading: 'Links',
    lines: [
      { label: 'Runbook', text: facts.runbookUrl, href: facts.runbookUrl },
      ...(facts.dashboardUrl === undefined ? [] : [{ label: 'Dashboard', text: facts.dashboardUrl, href: facts.dashboardUrl }]),
      { label: 'API', text: facts.apiUrl, href: facts.apiUrl },
    ],
  })
  sections.push({ lines: [{ text: `throughline · ${n.receiver} · ${n.groupKey} · ${n.reason} #${n.sequence}` }] })
  return sections
}

export function sectionsText(sections: readonly Section[]): string {
  return `${sections
    .map((s) => [...(s.heading === undefined ? [] : [s.heading]), ...s.lines.map((l) => (l.label === undefined ? l.text : `${l.label}: ${l.text}`))].join('\n'))
    .join('\n\n')}\n`
}

const escapeHtml = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')

export function sectionsHtml(sections: readonly Section[], title: string): string {
  const body = sections
    .map((s) => {
      const heading = s.heading === undefined ? '' : `<h3>${escapeHtml(s.heading)}</h3>`
      const items = s.lines
        .map((l) => {
          const text = l.href === undefined ? escapeHtml(l.text) : `<a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a>`
          return `<li>${l.label === undefined ? '' : `<b>${escapeHtml(l.label)}:</b> `}${text}</li>`
        })
        .join('')
      return `${heading}<ul>${items}</ul>`
    })
    .join('\n')
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>\n${body}\n</body></html>\n`
}

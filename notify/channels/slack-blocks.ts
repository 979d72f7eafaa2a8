// Block Kit for Slack: the episode's root message (severity, summary, process and integration,
// instances affected, value at risk, SLA-breach ETA, up to 5 sample business keys, the top
// diagnostic findings, links to runbook, dashboard and API), rewritten in place as the group
// changes, and the short thread replies for changes, reminders and the resolve.
import { etaText, formatMoney, notificationFacts, reasonText, type Notification } from '../notification.ts'

/** Structurally a Slack block (the client accepts any `{ type }` object). */
export interface SlackBlock {
  readonly type: string
  readonly [field: string]: unknown
}

const SEVERITY_ICON = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' } as const
const RESOLVED_ICON = ':white_check_mark:'

/** Slack's mrkdwn control characters. */
export const escapeMrkdwn = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)
const mrkdwn = (text: string): { type: 'mrkdwn'; text: string } => ({ type: 'mrkdwn', text: clip(text, 3000) })
const field = (label: string, value: string): { type: 'mrkdwn'; text: string } => mrkdwn(`*${label}*\n${escapeMrkdwn(value)}`)

export function fallbackText(n: Notification): string {
  const facts = notificationFacts(n)
  const state = n.status === 'resolved' ? 'RESOLVED' : `FIRING ${facts.severity.toUpperCase()}`
  return clip(`[${state}] ${n.title}`, 3000)
}

export function rootBlocks(n: Notification): SlackBlock[] {
  const facts = notificationFacts(n)
  const h = facts.headline
  const icon = n.status === 'resolved' ? RESOLVED_ICON : SEVERITY_ICON[facts.severity]
  const state = n.status === 'resolved' ? 'Resolved' : facts.firing.every((a) => a.acknowledged) ? 'Firing, acknowledged' : 'Firing'
  const fields = [
    field('Severity', facts.severity),
    field('Status', `${state} (${facts.firing.length} firing, ${facts.resolved.length} resolved)`),
    ...(facts.process === undefined ? [] : [field('Process', facts.process)]),
    ...(facts.integration === undefined ? [] : [field('Integration', facts.integration)]),
    field('Instances affected', String(facts.instances)),
    ...(facts.valueAtRisk.length === 0 ? [] : [field('Value at risk', facts.valueAtRisk.map(formatMoney).join(', '))]),
    ...(facts.slaBreachAt === undefined ? [] : [field('SLA breach', etaText(facts.slaBreachAt, n.intendedAtMs))]),
  ]
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`${n.status === 'resolved' ? 'Resolved' : facts.severity.toUpperCase()}: ${n.title}`, 150), emoji: true },
    },
    { type: 'section', text: mrkdwn(`${icon} *${escapeMrkdwn(h.annotations.summary || h.ruleId)}*\n${escapeMrkdwn(h.annotations.description)}`) },
    { type: 'section', fields: fields.slice(0, 10) },
  ]
  if (facts.sampleKeys.length > 0) {
    blocks.push({ type: 'section', text: mrkdwn(`*Sample keys*\n${facts.sampleKeys.map((k) => `• \`${escapeMrkdwn(k)}\``).join('\n')}`) })
  }
  if (facts.findings.length > 0) {
    const lines = facts.findings.map((f) =>
      f.error === undefined
        ? `• ${escapeMrkdwn(f.title)}: ${f.rows.length}${f.truncated ? '+' : ''} rows`
        : `• ${escapeMrkdwn(f.title)}: failed (${escapeMrkdwn(f.error)})`,
    )
    blocks.push({ type: 'section', text: mrkdwn(`*Top findings*\n${lines.join('\n')}`) })
  }
  if (n.alerts.length > 1) {
    const lines = [...facts.firing, ...facts.resolved]
      .slice(0, 10)
      .map((a) => `• ${a.state === 'firing' ? SEVERITY_ICON[a.severity] : RESOLVED_ICON} ${escapeMrkdwn(a.annotations.summary || a.ruleId)}`)
    blocks.push({ type: 'section', text: mrkdwn(`*Alerts*\n${lines.join('\n')}${n.alerts.length > 10 ? `\n…and ${n.alerts.length - 10} more` : ''}`) })
  }
  const button = (text: string, url: string, id: string): SlackBlock => ({
    type: 'button',
    text: { type: 'plain_text', text },
    url: clip(url, 3000),
    action_id: id,
  })
  blocks.push({
    type: 'actions',
    elements: [
      button('Runbook', facts.runbookUrl, 'runbook'),
      ...(facts.dashboardUrl === undefined ? [] : [button('Dashboard', facts.dashboardUrl, 'dashboard')]),
      button('API', facts.apiUrl, 'api'),
    ],
  })
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`throughline · ${escapeMrkdwn(n.receiver)} · impact since ${escapeMrkdwn(h.startsAt)} · <${facts.runbookUrl}|runbook>`)],
  })
  return blocks
}

/** The thread reply: what changed, and where things stand now. */
export function replyText(n: Notification): string {
  const facts = notificationFacts(n)
  const changed = n.alerts.filter((a) => n.changed.includes(a.fingerprint)).map((a) => a.annotations.summary || a.ruleId)
  const money = facts.valueAtRisk.map(formatMoney).join(', ')
  const standing =
    n.status === 'resolved'
      ? 'all alerts of the group resolved'
      : `${facts.firing.length} firing, ${facts.instances} instances affected${money === '' ? '' : `, ${money} at risk`}`
  return `${reasonText(n.reason)}${changed.length > 0 ? `: ${changed.join('; ')}` : ''} (${standing})`
}

export function replyBlocks(n: Notification): SlackBlock[] {
  const icon = n.status === 'resolved' ? RESOLVED_ICON : SEVERITY_ICON[notificationFacts(n).severity]
  return [{ type: 'section', text: mrkdwn(`${icon} ${escapeMrkdwn(replyText(n))}`) }]
}

// One episode's story on one clock: the engine's transitions (at their event times), the
// notifications, operator actions, silences and diagnostics, merged in time order; and the
// key times and durations a postmortem asks for (detect, notify, acknowledge, resolve).
import type { EpisodeKey } from './episode-key.ts'
import type { ActionFact, EpisodeRows } from './episode-rows.ts'
import type { DiagnosticResult, EpisodeDurations, EpisodeTimes, NotificationEntry, SilenceEntry, TimelineEntry, TimelineKind } from './model.ts'

export interface EpisodeStory {
  readonly status: string
  readonly times: EpisodeTimes
  readonly durations: EpisodeDurations
  readonly flaps: number
  readonly timeline: readonly TimelineEntry[]
  readonly notifications: readonly NotificationEntry[]
}

export interface StoryInputs {
  readonly key: EpisodeKey
  readonly rows: EpisodeRows
  readonly silences: readonly SilenceEntry[]
  readonly diagnostics: readonly DiagnosticResult[]
  readonly timers: { readonly forMs: number; readonly keepFiringForMs: number } | undefined
  readonly nowMs: number
}

const iso = (ms: number): string => new Date(ms).toISOString()
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms))
const seconds = (from: number | null, to: number | null): number | null => (from === null || to === null ? null : (to - from) / 1000)

/** A duration as people write it: 17 min 1 s, 2 h 5 min, 45 s. */
export function durationText(totalSeconds: number): string {
  const s = Math.round(totalSeconds)
  const parts: string[] = []
  const d = Math.floor(s / 86_400)
  const h = Math.floor((s % 86_400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d > 0) parts.push(`${d} d`)
  if (h > 0) parts.push(`${h} h`)
  if (m > 0) parts.push(`${m} min`)
  if (s % 60 > 0 || parts.length === 0) parts.push(`${s % 60} s`)
  return parts.slice(0, 2).join(' ')
}

function transitionEntry(t: EpisodeRows['transitions'][number], timers: StoryInputs['timers']): { kind: TimelineKind; details: string } {
  const value = t.value === null ? '' : `; value ${t.value}`
  switch (t.to) {
    case 'pending':
      return {
        kind: 'pending',
        details: `breach seen (${t.details})${value}${timers === undefined ? '' : `; must hold ${durationText(timers.forMs / 1000)} to fire`}`,
      }
    case 'firing':
      return t.from === 'recovering'
        ? { kind: 'firing_again', details: `breached again while recovering (same episode, no new message)${value}` }
        : { kind: 'firing', details: `fired (${t.reason === 'held_for' ? 'breach held for `for`' : t.reason}: ${t.details})${value}` }
    case 'recovering':
      return {
        kind: 'condition_cleared',
        details: `condition cleared${timers === undefined ? '' : `; resolves after ${durationText(timers.keepFiringForMs / 1000)} without a breach`}`,
      }
    case 'resolved':
      return { kind: 'resolved', details: `resolved, reason ${t.reason}${t.from === 'firing' ? ' (condition cleared at this evaluation)' : ''}` }
    default:
      return { kind: 'dropped', details: `cleared while pending (${t.reason}): never fired, nothing sent` }
  }
}

function actionEntry(a: ActionFact): TimelineEntry | undefined {
  switch (a.action) {
    case 'ack':
    case 'unack':
    case 'comment':
      return { at: iso(a.atMs), kind: a.action, who: a.actor, details: a.text }
    case 'run_action': {
      const d = JSON.parse(a.details || '{}') as { step?: string; status?: string; error?: string }
      return {
        at: iso(a.atMs),
        kind: 'run_action',
        who: a.actor,
        details: `runbook action ${d.step ?? '?'}: ${d.status ?? '?'}${d.error ? ` (${d.error})` : ''}${a.text ? ` - ${a.text}` : ''}`,
      }
    }
    default:
      return undefined
  }
}

export function episodeStory(inputs: StoryInputs): EpisodeStory {
  const { key, rows, timers } = inputs
  const first = (to: string): number | null => rows.transitions.find((t) => t.to === to)?.atMs ?? null
  let clearedMs: number | null = null
  let flaps = 0
  for (const t of rows.transitions) {
    if (t.to === 'recovering') clearedMs = t.atMs
    else if (t.to === 'firing' && t.from === 'recovering') {
      clearedMs = null
      flaps += 1
    } else if (t.to === 'resolved') clearedMs ??= t.atMs
  }
  const resolved = rows.transitions.find((t) => t.to === 'resolved')
  const last = rows.transitions.at(-1)?.to ?? 'pending'
  const status = last === 'inactive' ? 'dropped' : last
  const firedMs = first('firing')
  const firstDelivered = rows.notifications.find((n) => n.status === 'delivered')
  const notifiedMs = firstDelivered === undefined ? null : (firstDelivered.deliveredMs ?? firstDelivered.intendedMs)
  const ackMs = rows.actions.find((a) => a.action === 'ack')?.atMs ?? null
  const resolvedMs = resolved?.atMs ?? null

  const entries: Array<{ ms: number; entry: TimelineEntry }> = [
    { ms: key.startMs, entry: { at: iso(key.startMs), kind: 'impact_start', who: '', details: 'first breaching event: the start of impact, from the data' } },
  ]
  for (const t of rows.transitions) entries.push({ ms: t.atMs, entry: { at: iso(t.atMs), who: '', ...transitionEntry(t, timers) } })
  const notifications: NotificationEntry[] = rows.notifications.map((n) => ({
    intendedAt: iso(n.intendedMs),
    deliveredAt: isoOrNull(n.deliveredMs),
    receiver: n.receiver,
    channel: n.channel,
    reason: n.reason,
    status: n.status,
    attempts: n.attempts,
    error: n.error,
  }))
  for (const n of notifications) {
    const delivered = n.deliveredAt === null || n.deliveredAt === n.intendedAt ? '' : ` at ${n.deliveredAt}`
    const tries = n.attempts > 1 ? ` after ${n.attempts} attempts` : ''
    entries.push({
      ms: Date.parse(n.intendedAt),
      entry: {
        at: n.intendedAt,
        kind: 'notification',
        who: n.receiver,
        details: `${n.reason} via ${n.channel}: ${n.status}${delivered}${tries}${n.error ? ` (${n.error})` : ''}`,
      },
    })
  }
  for (const a of rows.actions) {
    const entry = actionEntry(a)
    if (entry !== undefined) entries.push({ ms: a.atMs, entry })
  }
  const endMs = resolvedMs ?? inputs.nowMs
  for (const s of inputs.silences) {
    const startsMs = Date.parse(s.startsAt)
    entries.push({ ms: startsMs, entry: { at: s.startsAt, kind: 'silence_start', who: s.createdBy, details: `silence ${s.id} (${s.matchers}): ${s.comment}` } })
    if (Date.parse(s.endsAt) < endMs)
      entries.push({ ms: Date.parse(s.endsAt), entry: { at: s.endsAt, kind: 'silence_end', who: s.createdBy, details: `silence ${s.id} ended` } })
  }
  for (const phase of ['fired', 'resolved', 'manual']) {
    const batch = inputs.diagnostics.filter((d) => d.phase === phase)
    if (batch.length === 0) continue
    const atMs = Math.min(...batch.map((d) => Date.parse(d.at)))
    const errors = batch.filter((d) => d.error !== '').length
    entries.push({
      ms: atMs,
      entry: {
        at: iso(atMs),
        kind: 'diagnostics',
        who: '',
        details: `runbook diagnostics (${phase}): ${batch.length} step(s) run${errors > 0 ? `, ${errors} failed` : ''}`,
      },
    })
  }
  // Stable: at equal times the engine's transitions come before what they caused.
  entries.sort((a, b) => a.ms - b.ms)

  return {
    status,
    flaps,
    times: {
      impactStart: iso(key.startMs),
      pendingSince: isoOrNull(first('pending')),
      firedAt: isoOrNull(firedMs),
      firstNotifiedAt: isoOrNull(notifiedMs),
      acknowledgedAt: isoOrNull(ackMs),
      conditionClearedAt: isoOrNull(clearedMs),
      resolvedAt: isoOrNull(resolvedMs),
      resolveReason: resolved?.reason ?? null,
    },
    durations: {
      timeToDetectSeconds: seconds(key.startMs, firedMs),
      timeToNotifySeconds: seconds(key.startMs, notifiedMs),
      timeToAcknowledgeSeconds: seconds(firedMs, ackMs),
      timeToResolveSeconds: seconds(firedMs, resolvedMs),
      impactDurationSeconds: seconds(key.startMs, clearedMs),
      clearedToResolvedSeconds: seconds(clearedMs, resolvedMs),
    },
    timeline: entries.map((e) => e.entry),
    notifications,
  }
}

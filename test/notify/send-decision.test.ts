// Alertmanager's dedup decision with throughline's additions, case by case: first, new alerts,
// escalation, all resolved, some resolved, repeat, acknowledgement; and what muted alerts do.
import { describe, expect, it } from 'vitest'
import { decideSend, type Alert, type GroupReport } from '../../notify/index.ts'

const T0 = Date.parse('2026-11-02T09:00:00Z')
const MIN = 60_000
const REPEAT = 6 * MIN

function alert(fingerprint: string, over: Partial<Alert> = {}): Alert {
  return {
    fingerprint,
    episodeId: `${fingerprint}@${T0}`,
    ruleId: 'step_error_rate',
    labels: { process: 'order_to_cash' },
    annotations: { summary: `summary ${fingerprint}`, description: '' },
    severity: 'warning',
    state: 'firing',
    startsAt: new Date(T0).toISOString(),
    firedAt: new Date(T0).toISOString(),
    impact: { instances: 1, valueAtRisk: [], sampleKeys: [] },
    diagnostics: [],
    acknowledged: false,
    runbookUrl: 'https://runbooks.example/r',
    apiUrl: 'https://throughline.example/api/v1/alerts/x',
    ...over,
  }
}

const resolved = (a: Alert): Alert => ({ ...a, state: 'resolved', resolvedAt: new Date(T0 + MIN).toISOString(), resolveReason: 'recovered' })
const report = (alerts: Alert[], lastNotifiedMs = T0): GroupReport => ({ sequence: 0, firstNotifiedMs: T0, lastNotifiedMs, title: 't', alerts })
const decide = (last: GroupReport | undefined, alerts: Alert[], nowMs = T0 + MIN, muted = 0) => decideSend(last, alerts, muted, nowMs, REPEAT)

const A = alert('a')
const B = alert('b')

describe('the send decision', () => {
  it('speaks first when a group has firing alerts and has never been notified, and not for resolved ones alone', () => {
    expect(decide(undefined, [A, B])).toEqual({ send: true, reason: 'first', changed: ['a', 'b'] })
    expect(decide(undefined, [resolved(A)])).toEqual({ send: false })
  })

  it('tells of new alerts, a higher severity and newly resolved ones, in that order', () => {
    expect(decide(report([A]), [A, B])).toEqual({ send: true, reason: 'new_alerts', changed: ['b'] })
    expect(decide(report([A, B]), [{ ...A, severity: 'critical' }, resolved(B)])).toEqual({ send: true, reason: 'escalation', changed: ['a'] })
    expect(decide(report([A, B]), [A, resolved(B)])).toEqual({ send: true, reason: 'some_resolved', changed: ['b'] })
    // Resolved before it was ever reported: nothing to take back.
    expect(decide(report([A]), [A, resolved(B)])).toEqual({ send: false })
  })

  it('always sends all resolved, unless firing alerts are only muted', () => {
    expect(decide(report([A, B]), [resolved(A), resolved(B)])).toEqual({ send: true, reason: 'all_resolved', changed: ['a', 'b'] })
    expect(decide(report([A, B]), [resolved(A)], T0 + MIN, 1)).toEqual({ send: true, reason: 'some_resolved', changed: ['a'] })
    expect(decide(report([A]), [], T0 + MIN, 1)).toEqual({ send: false })
  })

  it('repeats once the repeat interval has passed since the last notification', () => {
    expect(decide(report([A]), [A], T0 + REPEAT - 1)).toEqual({ send: false })
    expect(decide(report([A]), [A], T0 + REPEAT)).toEqual({ send: true, reason: 'repeat', changed: [] })
  })

  it('stops reminders once every firing alert is acknowledged, but not the escalation or the resolve', () => {
    const acked = { ...A, acknowledged: true }
    expect(decide(report([A]), [acked], T0 + MIN)).toEqual({ send: true, reason: 'update', changed: ['a'] })
    expect(decide(report([acked]), [acked], T0 + 10 * REPEAT)).toEqual({ send: false })
    expect(decide(report([acked]), [{ ...acked, severity: 'critical' }], T0 + 10 * REPEAT)).toEqual({ send: true, reason: 'escalation', changed: ['a'] })
    expect(decide(report([acked]), [resolved(acked)], T0 + 10 * REPEAT)).toEqual({ send: true, reason: 'all_resolved', changed: ['a'] })
    // One alert not acknowledged keeps the reminders coming.
    expect(decide(report([acked, B]), [acked, B], T0 + REPEAT)).toEqual({ send: true, reason: 'repeat', changed: [] })
  })
})

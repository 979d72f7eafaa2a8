// K5 with hand-checked numbers: a deadline on the business calendar (Fri 17:00 + 2 working
// hours on Mon-Fri 08-18 is Mon 09:00), attainment over the deadline cohort, targets by
// attribute, at-risk and open breaches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { slaAttainment, slaAttainmentPerWindow } from '../../../processes/index.ts'
import { openMigratedStore, type MigratedStore } from '../../support/migrated-store.ts'
import { DAY_MS, HOUR_MS, definitionFrom, insertEvents, ms, ns, type EventSpec } from './business-events.ts'

let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('sla')
})
afterAll(async () => {
  await opened.close()
})

const definition = definitionFrom(`
name: tickets
version: 1
root_key: ticket
keys:
  - type: ticket
milestones:
  - name: ticket.opened
  - name: ticket.answered
  - name: ticket.closed
start: [ticket.opened]
terminal:
  - { milestone: ticket.closed, outcome: completed }
slas:
  - name: first_answer
    from: ticket.opened
    to: ticket.answered
    target: 2h
    clock: business
  - name: resolution
    from: ticket.opened
    to: ticket.closed
    target:
      by_attribute: tier
      values: { gold: 4h }
      default: 1d
    clock: wall
calendar:
  timezone: Europe/Berlin
  working_hours:
    mon-fri: ['08:00-18:00']
n_min: 2
`)

// Friday 2026-11-06 17:00 in Berlin (CET, UTC+1) is 16:00 UTC.
const FRI_17 = ms('2026-11-06T16:00:00Z')
const MON_09 = ms('2026-11-09T08:00:00Z')

describe('K5 SLA attainment', () => {
  beforeAll(async () => {
    const events: EventSpec[] = [
      // Opened Fri 17:00; answered Mon 08:30: within 2 working hours (deadline Mon 09:00).
      { milestone: 'ticket.opened', atMs: FRI_17, keys: { ticket: 'T1' }, attrs: { tier: 'gold' } },
      { milestone: 'ticket.answered', atMs: MON_09 - 30 * 60_000, keys: { ticket: 'T1' } },
      // Opened Fri 17:00; answered Mon 09:30: breached.
      { milestone: 'ticket.opened', atMs: FRI_17, keys: { ticket: 'T2' } },
      { milestone: 'ticket.answered', atMs: MON_09 + 30 * 60_000, keys: { ticket: 'T2' } },
      // Opened Fri 17:00, never answered: open past the deadline once it is Mon 09:00.
      { milestone: 'ticket.opened', atMs: FRI_17, keys: { ticket: 'T3' } },
      // Opened Mon 10:00 (deadline Mon 12:00), not answered: at risk from 11:36 (0.8 x 2 h).
      { milestone: 'ticket.opened', atMs: MON_09 + HOUR_MS, keys: { ticket: 'T4' } },
      // Resolution: gold T1 closed Fri 17:00 + 3 h (wall, target 4 h: met); T2 default 1 d, closed Mon 09:30 (breached).
      { milestone: 'ticket.closed', atMs: FRI_17 + 3 * HOUR_MS, keys: { ticket: 'T1' } },
      { milestone: 'ticket.closed', atMs: MON_09 + 30 * 60_000, keys: { ticket: 'T2' } },
    ]
    await insertEvents(opened.store, definition, events)
  })

  it('puts the deadline of a step at Fri 17:00 with 2 business hours at Mon 09:00', async () => {
    const [firstAnswer] = await slaAttainment(
      opened.store,
      { definition, window: { fromNs: ns(MON_09), toNs: ns(MON_09 + 1) }, nowNs: ns(MON_09 + 2 * HOUR_MS) },
      'first_answer',
    )
    // Exactly the three Friday tickets fall due at Mon 09:00: T1 met, T2 and T3 breached.
    expect(firstAnswer).toMatchObject({ due: 3, met: 1, breached: 2, pending: 0, attainment: 1 / 3, lowSample: false })
    const t2 = firstAnswer!.instances.find((i) => i.instance === 'T2')
    expect(t2).toMatchObject({
      state: 'breached',
      start: '2026-11-06T16:00:00.000Z',
      deadline: '2026-11-09T08:00:00.000Z',
      reached: '2026-11-09T08:30:00.000Z',
    })
  })

  it('counts at risk and open breaches at the moment asked, apart from the cohort', async () => {
    // Mon 11:40 local (10:40 UTC): T4 is past 0.8 x 2 h = 11:36 and before its 12:00 deadline.
    const now = ns(MON_09 + 2 * HOUR_MS + 40 * 60_000)
    const [firstAnswer] = await slaAttainment(
      opened.store,
      { definition, window: { fromNs: ns(MON_09 + HOUR_MS), toNs: ns(MON_09 + DAY_MS) }, nowNs: now },
      'first_answer',
    )
    expect(firstAnswer).toMatchObject({ due: 1, met: 0, breached: 0, pending: 1, attainment: null, atRisk: 1, breachedOpen: 1 })
    expect(firstAnswer!.instances.map((i) => [i.instance, i.state])).toEqual([
      ['T4', 'at_risk'],
      ['T3', 'breached'],
    ])
  })

  it('extends a deadline by the time the instance was paused', async () => {
    // T9 opened Tue 08:00 (default target 1 d, wall), paused 3 h waiting for the customer, closed 1 d 2 h after opening: met.
    const opened9 = ms('2026-11-10T08:00:00Z')
    await insertEvents(opened.store, definition, [
      { milestone: 'ticket.opened', atMs: opened9, keys: { ticket: 'T9' } },
      { milestone: 'ticket.answered', atMs: opened9 + HOUR_MS, keys: { ticket: 'T9' }, status: 'paused', id: 't9-pause' },
      { milestone: 'ticket.answered', atMs: opened9 + 4 * HOUR_MS, keys: { ticket: 'T9' }, status: 'resumed', id: 't9-resume' },
      { milestone: 'ticket.closed', atMs: opened9 + DAY_MS + 2 * HOUR_MS, keys: { ticket: 'T9' } },
    ])
    const [resolution] = await slaAttainment(
      opened.store,
      { definition, window: { fromNs: ns(opened9 + DAY_MS), toNs: ns(opened9 + 2 * DAY_MS) }, nowNs: ns(opened9 + 2 * DAY_MS) },
      'resolution',
    )
    // Deadline 1 d + 3 h after opening; closed at 1 d + 2 h: met.
    expect(resolution).toMatchObject({ due: 1, met: 1, breached: 0 })
  })

  it('takes the target from the instance attribute, on the wall clock', async () => {
    const [resolution] = await slaAttainment(
      opened.store,
      { definition, window: { fromNs: ns(FRI_17), toNs: ns(FRI_17 + 2 * DAY_MS) }, nowNs: ns(MON_09 + DAY_MS) },
      'resolution',
    )
    // T1 (gold, 4 h) due Fri 21:00 met; T2 and T3 (1 d) due Sat 17:00: T2 closed Monday, T3 open: both breached.
    expect(resolution).toMatchObject({ due: 3, met: 1, breached: 2, attainment: 1 / 3 })
    expect(resolution!.instances.find((i) => i.instance === 'T1')).toBeUndefined()
    expect(resolution!.instances.find((i) => i.instance === 'T3')).toMatchObject({ targetSeconds: 86_400, reached: null })
  })

  it('answers several windows ending at one now in one statement, each as asked alone', async () => {
    const nowNs = ns(MON_09 + DAY_MS)
    const windows = [
      { fromNs: ns(FRI_17), toNs: ns(FRI_17 + 2 * DAY_MS) },
      { fromNs: ns(FRI_17 - DAY_MS), toNs: ns(MON_09) },
      { fromNs: ns(FRI_17 + 3 * DAY_MS), toNs: ns(FRI_17 + 4 * DAY_MS) },
    ]
    const together = await slaAttainmentPerWindow(opened.store, { definition, window: windows[0]!, nowNs }, windows)
    const alone = await Promise.all(windows.map((window) => slaAttainment(opened.store, { definition, window, nowNs })))
    expect(together).toEqual(alone)
    // The first window as hand-checked above: the resolution SLA with 3 due, 1 met, 2 breached.
    expect(together[0]!.find((s) => s.sla === 'resolution')).toMatchObject({ due: 3, met: 1, breached: 2 })
  })
})

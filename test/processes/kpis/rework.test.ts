// K8 with hand-checked numbers: repeated milestones and a designated rework activity over the
// instances completed in the window; instalments allowed to repeat, one shipment per child,
// retries of one operation id and a duplicate delivery of one event are not rework.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rework } from '../../../processes/index.ts'
import { openMigratedStore, type MigratedStore } from '../../support/migrated-store.ts'
import { DAY_MS, HOUR_MS, definitionFrom, insertEvents, ms, ns, type EventSpec } from './business-events.ts'

let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('rework')
})
afterAll(async () => {
  await opened.close()
})

const orders = definitionFrom(`
name: orders_rework
version: 1
root_key: order
keys:
  - type: order
  - type: dlv
milestones:
  - name: order.created
  - name: order.approved
  - name: delivery.shipped
  - name: invoice.posted
  - name: invoice.corrected
  - name: payment.received
  - name: order.closed
  - name: order.cancelled
start: [order.created]
terminal:
  - { milestone: order.closed, outcome: completed }
  - { milestone: order.cancelled, outcome: cancelled }
children:
  - key: dlv
    parent_key: order
    milestones: [delivery.shipped]
rework:
  may_repeat: [payment.received]
  activities: [invoice.corrected]
n_min: 5
`)

const T0 = ms('2026-10-05T00:00:00Z')
const MINUTE_MS = 60_000

/** An order's events one minute apart from `startMs`, closed last unless `close` is false. */
function order(
  id: string,
  startMs: number,
  steps: ReadonlyArray<string | (Partial<EventSpec> & { milestone: string })>,
  close: false | number = startMs + HOUR_MS,
): EventSpec[] {
  const events: EventSpec[] = [{ milestone: 'order.created', atMs: startMs, keys: { order: id } }]
  steps.forEach((step, i) => {
    const spec = typeof step === 'string' ? { milestone: step } : step
    events.push({ ...spec, atMs: startMs + (i + 1) * MINUTE_MS, keys: { order: id, ...spec.keys } })
  })
  if (close !== false) events.push({ milestone: 'order.closed', atMs: close, keys: { order: id } })
  return events
}

describe('K8 rework', () => {
  beforeAll(async () => {
    await insertEvents(opened.store, orders, [
      // R1, clean: two deliveries ship once each (one per child), two instalments (may repeat).
      ...order('R1', T0, [
        'order.approved',
        { milestone: 'delivery.shipped', keys: { dlv: 'D1' } },
        { milestone: 'delivery.shipped', keys: { dlv: 'D2' } },
        'invoice.posted',
        'payment.received',
        'payment.received',
      ]),
      // R2: approved twice: 1 rework occurrence.
      ...order('R2', T0 + HOUR_MS, ['order.approved', 'order.approved']),
      // R3: approval retried (one operation, attempts 1 and 2): not rework; one invoice correction: rework.
      ...order('R3', T0 + 2 * HOUR_MS, [
        { milestone: 'order.approved', operationId: 'op-approve-R3', attempt: 1, status: 'error' },
        { milestone: 'order.approved', operationId: 'op-approve-R3', attempt: 2 },
        'invoice.posted',
        'invoice.corrected',
      ]),
      // R4: approved three times (2 rework occurrences) and corrected twice (2): one reworked instance.
      ...order('R4', T0 + 3 * HOUR_MS, ['order.approved', 'order.approved', 'order.approved', 'invoice.posted', 'invoice.corrected', 'invoice.corrected']),
      // R5: delivery D1 shipped twice: a repeat within one child.
      ...order('R5', T0 + 4 * HOUR_MS, [
        { milestone: 'delivery.shipped', keys: { dlv: 'D1' } },
        { milestone: 'delivery.shipped', keys: { dlv: 'D1' } },
      ]),
      // R6: approved twice, then cancelled: not completed, not counted.
      ...order('R6', T0 + 5 * HOUR_MS, ['order.approved', 'order.approved', 'order.cancelled'], false),
      // R7: approved twice, closed the next day: outside the window.
      ...order('R7', T0 + 6 * HOUR_MS, ['order.approved', 'order.approved'], T0 + DAY_MS + HOUR_MS),
      // R8: its approval delivered twice (one event id): deduplicated, not rework.
      ...order('R8', T0 + 7 * HOUR_MS, [{ milestone: 'order.approved', id: 'R8-approved' }]),
    ])
    await insertEvents(opened.store, orders, [{ milestone: 'order.approved', atMs: T0 + 7 * HOUR_MS + MINUTE_MS, keys: { order: 'R8' }, id: 'R8-approved' }])
  })

  it('rates rework over the instances completed in the window, per activity', async () => {
    const result = await rework(opened.store, { definition: orders, window: { fromNs: ns(T0), toNs: ns(T0 + DAY_MS) } })
    // Completed in the window: R1, R2, R3, R4, R5, R8 = 6 (>= n_min 5). Reworked: R2, R3, R4, R5 = 4.
    expect(result).toMatchObject({ completed: 6, reworked: 4, lowSample: false })
    expect(result.rate).toBeCloseTo(4 / 6, 12)
    // order.approved: R2 (1 extra) + R4 (2 extra) = 3 in 2 instances; invoice.corrected: R3 (1) +
    // R4 (2) = 3 in 2 instances; delivery.shipped: R5's second shipment of D1.
    expect(result.activities).toEqual([
      { activity: 'invoice.corrected', kind: 'rework_activity', instances: 2, occurrences: 3 },
      { activity: 'order.approved', kind: 'repeated', instances: 2, occurrences: 3 },
      { activity: 'delivery.shipped', kind: 'repeated', instances: 1, occurrences: 1 },
    ])
  })

  it('flags a low sample', async () => {
    // The next day: R7 alone, approved twice: 1 of 1, below n_min 5.
    const result = await rework(opened.store, { definition: orders, window: { fromNs: ns(T0 + DAY_MS), toNs: ns(T0 + 2 * DAY_MS) } })
    expect(result).toMatchObject({ completed: 1, reworked: 1, rate: 1, lowSample: true })
  })

  it('gives no rate, not 0, when nothing completed in the window', async () => {
    const result = await rework(opened.store, { definition: orders, window: { fromNs: ns(T0 + 10 * DAY_MS), toNs: ns(T0 + 11 * DAY_MS) } })
    expect(result).toEqual({ completed: 0, reworked: 0, rate: null, lowSample: true, activities: [] })
  })
})

// K6's instance figures with hand-checked numbers: an operation that fails twice then succeeds
// is retried, not reworked, and its instance is not first-pass yield; a repeated milestone is
// rework; a failed instance counts in the failure rate; recovery is completion despite errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { instanceOutcomes } from '../../../processes/index.ts'
import { openMigratedStore, type MigratedStore } from '../../support/migrated-store.ts'
import { DAY_MS, HOUR_MS, definitionFrom, insertEvents, ms, ns, type EventSpec } from './business-events.ts'

let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('outcomes')
})
afterAll(async () => {
  await opened.close()
})

const definition = definitionFrom(`
name: orders_quality
version: 1
root_key: order
keys:
  - type: order
milestones:
  - name: order.created
  - name: so.created
  - name: order.approved
  - name: order.closed
  - name: order.rejected
start: [order.created]
terminal:
  - { milestone: order.closed, outcome: completed }
  - { milestone: order.rejected, outcome: failed }
`)

const T = ms('2026-11-10T08:00:00Z')
const flow = (order: string, extra: EventSpec[] = [], end = 'order.closed'): EventSpec[] => [
  { milestone: 'order.created', atMs: T, keys: { order } },
  ...extra,
  { milestone: end, atMs: T + 5 * HOUR_MS, keys: { order } },
]

describe('instance outcomes', () => {
  it('counts first-pass yield, failure and recovery rates by hand-checked figures', async () => {
    await insertEvents(opened.store, definition, [
      // Two clean completions.
      ...flow('A', [{ milestone: 'so.created', atMs: T + HOUR_MS, keys: { order: 'A' } }]),
      ...flow('B', [{ milestone: 'so.created', atMs: T + HOUR_MS, keys: { order: 'B' } }]),
      // Fails twice then succeeds: one operation, three attempts. Completed, not first-pass.
      ...flow('R', [
        { milestone: 'so.created', atMs: T + HOUR_MS, keys: { order: 'R' }, status: 'error', operationId: 'op-R', attempt: 1 },
        { milestone: 'so.created', atMs: T + HOUR_MS + 60_000, keys: { order: 'R' }, status: 'error', operationId: 'op-R', attempt: 2 },
        { milestone: 'so.created', atMs: T + HOUR_MS + 120_000, keys: { order: 'R' }, operationId: 'op-R', attempt: 3 },
      ]),
      // Approved twice: rework.
      ...flow('W', [
        { milestone: 'order.approved', atMs: T + HOUR_MS, keys: { order: 'W' } },
        { milestone: 'order.approved', atMs: T + 2 * HOUR_MS, keys: { order: 'W' } },
      ]),
      // Rejected after an error: failed.
      ...flow('F', [{ milestone: 'so.created', atMs: T + HOUR_MS, keys: { order: 'F' }, status: 'error' }], 'order.rejected'),
      // Still open at the window's end.
      { milestone: 'order.created', atMs: T, keys: { order: 'O' } },
    ])
    const result = await instanceOutcomes(opened.store, definition, { fromNs: ns(T), toNs: ns(T + DAY_MS) })
    expect(result).toEqual({
      arrived: 6,
      completed: 4,
      cancelled: 0,
      failed: 1,
      wipAtEnd: 1,
      // F of A, B, R, W, F.
      instanceFailureRate: 1 / 5,
      // A and B of A, B, R, W: R retried, W reworked.
      firstPassYield: 2 / 4,
      // R completed despite its errors; F did not.
      recoveryRate: 1 / 2,
      ended: 5,
      endedWithError: 2,
    })
  })

  it('answers null rates, not zeros, when nothing ended', async () => {
    const result = await instanceOutcomes(opened.store, definition, { fromNs: ns(T - 10 * DAY_MS), toNs: ns(T - 9 * DAY_MS) })
    expect(result).toMatchObject({ completed: 0, instanceFailureRate: null, firstPassYield: null, recoveryRate: null })
  })
})

// The WMS delivery consumer stops an hour into fifteen simulated days and never restarts:
// orders wait after the stock reservation, and once one has waited longer than the
// definition's threshold for that stage (max(1 working day, 2 x p90): 24 working hours of
// the Shanghai calendar) it is stuck. Fifteen days, because a one-hour stop is within what
// the definition allows: no order may be called stuck after an hour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { businessDurationMs } from '../../core/calendar.ts'
import { parseFaultSpec } from '../../demo/index.ts'
import { stuckInstances } from '../../processes/index.ts'
import { simulate, type Simulated } from './simulation.ts'

const HOUR = 3_600_000
let sim: Simulated

beforeAll(async () => {
  sim = await simulate({ seed: 5, historyMs: 15 * 24 * HOUR, ordersPerHour: 0.3, customerChangesPerHour: 1, faults: [parseFaultSpec('consumer_stopped@1h')] })
})
afterAll(async () => {
  await sim.running.close()
})

describe('a stopped WMS consumer', () => {
  it('leaves orders stuck after stock.reserved, exactly those that have waited more than 24 working hours', async () => {
    const { report, toMs } = sim.summary
    const calendar = sim.definition.calendar
    const waiting = report.orders.filter(
      (o) => o.reservedAt !== undefined && o.cancelledAt === undefined && o.deliveries.every((d) => d.createdAt === undefined),
    )
    const overdue = waiting.filter((o) => businessDurationMs(calendar, new Date(o.reservedAt!), new Date(toMs)) > 24 * HOUR)
    expect(overdue.length).toBeGreaterThan(10)

    const stuck = await stuckInstances(sim.running.store, { definition: sim.definition, nowNs: sim.endNs, limit: 1000 })
    expect(stuck.thresholds['stock.reserved']).toBe(86_400)
    expect(stuck.unknownLateData).toBe(0)
    expect(stuck.stuck).toBe(overdue.length)
    expect(stuck.instances.map((i) => i.instance).sort()).toEqual(overdue.map((o) => o.orderId).sort())
    for (const instance of stuck.instances) {
      expect(instance).toMatchObject({ state: 'stuck', lastMilestone: 'stock.reserved', lastSystem: 'WMS', expectedSystem: 'WMS' })
    }
    const atRisk = overdue.reduce((sum, o) => sum + o.value, 0)
    expect(stuck.valueAtRisk).toEqual([{ currency: 'CNY', amount: expect.closeTo(atRisk, 2), instances: overdue.length }])
  })

  it('piles the delivery requests up in the queue: published, never consumed', () => {
    const { counters } = sim.summary.report
    expect(counters.deliveriesPublished).toBeGreaterThan(0)
    expect(counters.deliveriesConsumed).toBe(0)
    expect(counters.deliveryBacklogMax).toBe(counters.deliveriesPublished)
  })
})

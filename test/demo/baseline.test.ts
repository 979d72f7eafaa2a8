// The same fifteen simulated days as consumer-stopped.test.ts, without a fault: the KPIs of a
// healthy process. Nothing is stuck, the only failed order calls are the ERP's refusals,
// customer data reaches the ERP within seconds, and what the systems did (the run's ledger)
// is what the KPIs count: orders, deliveries, goods issues from the nightly export, cash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { integrationHealth, memberEventsCte, stuckInstances, syncLag } from '../../processes/index.ts'
import { queryRows } from '../../store/index.ts'
import { simulate, type Simulated } from './simulation.ts'

const HOUR = 3_600_000
let sim: Simulated

beforeAll(async () => {
  sim = await simulate({ seed: 5, historyMs: 15 * 24 * HOUR, ordersPerHour: 0.3, customerChangesPerHour: 1, faults: [] })
})
afterAll(async () => {
  await sim.running.close()
})

async function reached(milestone: string): Promise<number> {
  const cte = memberEventsCte({ process: 'lead_to_cash', rootKey: 'order_id' })
  const [row] = await queryRows<{ n: string }>(
    sim.running.store,
    `WITH ${cte.sql} SELECT uniqExact(instance) AS n FROM member_events WHERE Milestone = {milestone:String}`,
    { ...cte.params, milestone },
    { tag: 'test.demo.reached' },
  )
  return Number(row?.n ?? 0)
}

describe('fifteen healthy days of lead to cash', () => {
  it('has no stuck order', async () => {
    const stuck = await stuckInstances(sim.running.store, { definition: sim.definition, nowNs: sim.endNs })
    expect({ stuck: stuck.stuck, unknownLateData: stuck.unknownLateData }).toEqual({ stuck: 0, unknownLateData: 0 })
  })

  it('counts as many instances at each step as the systems took', async () => {
    const { report } = sim.summary
    const exported = report.orders.filter((o) => o.deliveries.some((d) => d.exportedAt !== undefined)).length
    expect(report.completed).toBeGreaterThan(0)
    expect({
      won: await reached('opportunity.won'),
      created: await reached('sales_order.created'),
      reserved: await reached('stock.reserved'),
      shipped: await reached('goods_issue.posted'),
      invoiced: await reached('invoice.posted'),
      cash: await reached('receivable.cleared'),
    }).toEqual({
      won: report.ordersWon,
      created: report.salesOrdersCreated,
      reserved: report.reserved,
      shipped: exported,
      invoiced: report.invoiced,
      cash: report.completed,
    })
  })

  it('fails order calls only where the ERP refused the order', async () => {
    const [health] = (await integrationHealth(sim.running.store, { integration: 'crm-to-erp-orders' })).filter((h) => h.endpoint === 'POST A_SalesOrder')
    const { erpAttempts } = sim.summary.report.counters
    expect(health).toMatchObject({
      failedCalls: erpAttempts.rejected,
      retries: 0,
      errorsByClass: { client: erpAttempts.rejected, server: 0, timeout: 0, other: 0 },
    })
  })

  it('applies every customer and contact change in the ERP within seconds', async () => {
    const lag = await syncLag(sim.running.store, { fromNs: sim.ns(sim.summary.fromMs), toNs: sim.endNs - 3_600_000_000_000n, nowNs: sim.endNs })
    expect(lag.map((pair) => pair.entityType)).toEqual(['contact', 'customer'])
    for (const pair of lag) {
      expect(pair).toMatchObject({ sourceSystem: 'CRM', targetSystem: 'ERP', pending: 0, inFlight: 0 })
      expect(pair.matched).toBe(pair.changes)
      // Read at the next one-minute poll, applied in under 4 s.
      expect(pair.lagSeconds.max).toBeLessThan(66)
    }
  })
})

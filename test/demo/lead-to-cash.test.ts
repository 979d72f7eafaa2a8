// Two simulated hours of lead to cash (about 50 orders) with the ERP down for the middle half
// hour, sent through the real OpenTelemetry SDK and POST /v1/events to a real collector and
// derived with the shipped definition: every won opportunity is one instance, the outage
// shows as failed attempts and retries of one operation each, and each instance carries the
// CRM and the ERP customer ids as references, with its ERP and WMS numbers correlated to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_ORDER_ATTEMPTS, parseFaultSpec } from '../../demo/index.ts'
import { instancesOfKey, integrationHealth, memberEventsCte, stuckInstances } from '../../processes/index.ts'
import { queryRows } from '../../store/index.ts'
import { simulate, type Simulated } from './simulation.ts'

const HOUR = 3_600_000
let sim: Simulated

beforeAll(async () => {
  sim = await simulate({ seed: 11, historyMs: 2 * HOUR, ordersPerHour: 25, faults: [parseFaultSpec('erp_down@45m+30m')] })
})
afterAll(async () => {
  await sim.running.close()
})

interface InstanceRow {
  instance: string
  milestones: string[]
  keys: string[]
}

async function instances(): Promise<Map<string, InstanceRow>> {
  const cte = memberEventsCte({ process: 'lead_to_cash', rootKey: 'order_id' })
  const rows = await queryRows<InstanceRow>(
    sim.running.store,
    `WITH ${cte.sql}
     SELECT instance, arraySort(groupUniqArray(Milestone)) AS milestones,
            arraySort(arrayDistinct(arrayFlatten(groupArray(arrayMap((k, v) -> concat(k, '=', v), mapKeys(Keys), mapValues(Keys)))))) AS keys
     FROM member_events GROUP BY instance`,
    cte.params,
    { tag: 'test.demo.instances' },
  )
  return new Map(rows.map((r) => [r.instance, r]))
}

describe('the lead-to-cash demo, two hours with a half-hour ERP outage', () => {
  it('makes every won opportunity one lead_to_cash instance that starts with opportunity.won', async () => {
    const { report } = sim.summary
    // Seed 11 at 25 an hour: 52 wins in the two hours (the seed fixes them, whatever the start).
    expect(report.ordersWon).toBe(52)
    const byInstance = await instances()
    const won = [...byInstance.values()].filter((i) => i.milestones.includes('opportunity.won')).map((i) => i.instance)
    expect(won.sort()).toEqual(report.orders.map((o) => o.orderId).sort())
    expect(byInstance.size).toBe(report.ordersWon)
  })

  it('shows the outage as failed ERP attempts, inside the outage only, each order retried under one operation id', async () => {
    const { report, faults } = sim.summary
    const attempts = report.counters.erpAttempts
    // Seed 11: 49 created, 3 refused (422), and in the outage 13 answered 503 and 9 timed out.
    expect(attempts).toEqual({ created: 49, rejected: 3, unavailable: 13, timeout: 9 })
    const [health] = (await integrationHealth(sim.running.store, { integration: 'crm-to-erp-orders' })).filter((h) => h.endpoint === 'POST A_SalesOrder')
    expect(health).toMatchObject({
      sourceSystem: 'CRM',
      targetSystem: 'ERP',
      calls: attempts.created + attempts.rejected + attempts.unavailable + attempts.timeout,
      failedCalls: attempts.rejected + attempts.unavailable + attempts.timeout,
      errorsByClass: { client: attempts.rejected, server: attempts.unavailable, timeout: attempts.timeout, other: 0 },
      operations: report.orders.filter((o) => o.attempts > 0).length,
    })
    // 74 attempts for 52 orders: 22 retries, every one caused by the outage.
    expect(health!.retries).toBe(22)
    expect(health!.operationOutcomes.recovered).toBeGreaterThan(0)
    // Attempts of one operation are numbered 1..n; the server errors and timeouts all started while the ERP was down.
    const outage = faults[0]!
    const rows = await queryRows<{ OperationId: string; attempts: number[]; outside: string }>(
      sim.running.store,
      `SELECT OperationId, arraySort(groupArray(Attempt)) AS attempts,
              countIf(StatusCode = 'Error' AND SpanAttributes['http.response.status_code'] != '422'
                      AND (Timestamp < fromUnixTimestamp64Milli({from:Int64}) OR Timestamp >= fromUnixTimestamp64Milli({to:Int64}))) AS outside
       FROM (SELECT OperationId, Attempt, StatusCode, SpanAttributes, Timestamp FROM otel_traces WHERE SpanName = 'POST A_SalesOrder' AND SpanKind = 'Client' LIMIT 1 BY TraceId, SpanId)
       GROUP BY OperationId`,
      { from: outage.fromMs, to: outage.toMs },
      { tag: 'test.demo.attempts' },
    )
    const attemptsOf = new Map(report.orders.map((o) => [`crm-to-erp-orders:${o.orderId}`, o.attempts]))
    for (const row of rows) {
      const n = attemptsOf.get(row.OperationId)
      expect(n).toBeDefined()
      expect(n).toBeLessThanOrEqual(MAX_ORDER_ATTEMPTS)
      expect(row.attempts).toEqual(Array.from({ length: n! }, (_, i) => i + 1))
      expect(Number(row.outside)).toBe(0)
    }
    expect(rows.length).toBe(attemptsOf.size)
  })

  it('keeps the CRM account and the ERP customer on one instance as references, and correlates the ERP and WMS numbers to the order', async () => {
    const byInstance = await instances()
    const created = sim.summary.report.orders.filter((o) => o.soNumber !== undefined)
    expect(created.length).toBeGreaterThan(20)
    for (const order of created) {
      const keys = byInstance.get(order.orderId)!.keys
      expect(keys).toContain(`crm_account_id=${order.customer.crmAccountId}`)
      expect(keys).toContain(`erp_customer_id=${order.customer.erpCustomerId}`)
      expect(keys).toContain(`so_number=${order.soNumber!}`)
      expect(await instancesOfKey(sim.running.store, sim.definition, 'so_number', order.soNumber!)).toEqual([order.orderId])
      for (const delivery of order.deliveries.filter((d) => d.deliveryId !== undefined)) {
        expect(await instancesOfKey(sim.running.store, sim.definition, 'delivery_id', delivery.deliveryId!)).toEqual([order.orderId])
      }
    }
    // The customer ids are references: many orders share a customer, yet each stays its own instance.
    const sharing = new Set(created.map((o) => o.customer.crmAccountId))
    expect(sharing.size).toBeLessThan(created.length)
    expect(await instancesOfKey(sim.running.store, sim.definition, 'crm_account_id', created[0]!.customer.crmAccountId)).toEqual([])
    const delivered = created.flatMap((o) => o.deliveries.filter((d) => d.deliveryId !== undefined))
    expect(delivered.length).toBeGreaterThan(5)
  })

  it('has no stuck order after two hours: nothing has waited past its stage threshold', async () => {
    const stuck = await stuckInstances(sim.running.store, { definition: sim.definition, nowNs: sim.endNs })
    expect({ stuck: stuck.stuck, unknownLateData: stuck.unknownLateData }).toEqual({ stuck: 0, unknownLateData: 0 })
  })
})

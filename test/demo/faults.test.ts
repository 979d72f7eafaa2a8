// One simulated day and a quarter with the other faults, each in its own slot, each seen in
// the KPI an operator would look at: slow_sync in the sync lag, mapping_errors in the client
// errors of one entity type, duplicate_deliveries absorbed by deduplication but counted as
// retries, clock_skew as steps out of order in the process map, late_batch in the freshness
// of the WMS's nightly export. The window ends three hours after a nightly export was due.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLOCK_SKEW, nextNightlyRun, parseFaultSpec } from '../../demo/index.ts'
import { integrationHealth, sourceFreshness, syncLag } from '../../processes/index.ts'
import { queryRows } from '../../store/index.ts'
import { simulate, type Simulated } from './simulation.ts'
import { disallowedTransitions, storedTwice } from './scenario-checks.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
let sim: Simulated
/** The nightly export due (01:30 Shanghai) 3 hours before the simulation's end. */
let exportDue = 0

beforeAll(async () => {
  exportDue = nextNightlyRun(Date.now() - 27 * HOUR)
  sim = await simulate({
    seed: 3,
    nowMs: exportDue + 3 * HOUR,
    historyMs: 30 * HOUR,
    ordersPerHour: 20,
    customerChangesPerHour: 30,
    faults: [
      parseFaultSpec('slow_sync@2h+3h'),
      parseFaultSpec('mapping_errors@7h+2h'),
      parseFaultSpec('duplicate_deliveries@10h+4h'),
      parseFaultSpec('clock_skew@15h+4h'),
      parseFaultSpec(`late_batch@${new Date(exportDue - MINUTE).toISOString()}+10m`),
    ],
  })
})
afterAll(async () => {
  await sim.running.close()
})

/** Instant `offset` into the simulation, in ns. */
const at = (offset: number): bigint => sim.ns(sim.summary.fromMs + offset)

describe('each injected fault, in the KPI that shows it', () => {
  it('slow_sync: customer changes reach the ERP later and later while applies crawl, and in seconds again after', async () => {
    const lag = async (from: number, to: number, entityType: string) =>
      (await syncLag(sim.running.store, { fromNs: at(from), toNs: at(to), nowNs: sim.endNs, entityType }))[0]!
    // Changes come every 2 minutes, each apply takes 200-300 s: a change waits for the whole
    // queue before it, so the later it comes the longer it waits (until the backlog drains at
    // the end of the fault).
    const early = await lag(2 * HOUR, 2 * HOUR + 30 * MINUTE, 'customer')
    const later = await lag(3 * HOUR, 3 * HOUR + 25 * MINUTE, 'customer')
    const during = await lag(2 * HOUR, 5 * HOUR, 'customer')
    const after = await lag(5 * HOUR + 30 * MINUTE, 6 * HOUR + 30 * MINUTE, 'customer')
    expect(later.lagSeconds.p50!).toBeGreaterThan(2 * early.lagSeconds.p50!)
    // Past the 900 s of the l2c_customer_sync_lag alert, then back to seconds.
    expect(during.lagSeconds.p95).toBeGreaterThan(900)
    expect(during.coalesced).toBeGreaterThan(0)
    expect(after.lagSeconds.max).toBeLessThan(66)
    const [apply] = (await integrationHealth(sim.running.store, { integration: 'crm-to-erp-customers', fromNs: at(2 * HOUR), toNs: at(5 * HOUR) })).filter(
      (h) => h.endpoint === 'POST A_BusinessPartner',
    )
    expect(apply!.latencyMs.p50).toBeGreaterThanOrEqual(200_000)
  })

  it('mapping_errors: customers are refused with client errors while contacts keep syncing', async () => {
    const health = await integrationHealth(sim.running.store, { integration: 'crm-to-erp-customers', fromNs: at(7 * HOUR), toNs: at(9 * HOUR) })
    const customers = health.find((h) => h.endpoint === 'POST A_BusinessPartner')!
    const contacts = health.find((h) => h.endpoint === 'POST A_ContactPerson')!
    expect(customers.errorsByClass).toEqual({ client: sim.summary.report.counters.syncFailedApplies.mapping, timeout: 0, server: 0, other: 0 })
    expect(customers.failedCalls).toBe(customers.calls)
    expect(customers.deadLetters).toBe(customers.calls)
    expect(contacts.failedCalls).toBe(0)
    // No customer change of the first fault hour reached the ERP within the hour; contacts did in seconds.
    const customerLag = (await syncLag(sim.running.store, { fromNs: at(7 * HOUR), toNs: at(8 * HOUR), nowNs: sim.endNs, entityType: 'customer' }))[0]!
    const contactLag = (await syncLag(sim.running.store, { fromNs: at(7 * HOUR), toNs: at(8 * HOUR), nowNs: sim.endNs, entityType: 'contact' }))[0]!
    expect(customerLag.changes).toBeGreaterThan(5)
    if (customerLag.matched > 0) expect(customerLag.lagSeconds.p50!).toBeGreaterThanOrEqual(3_600)
    expect(contactLag.lagSeconds.max).toBeLessThan(66)
  })

  it('duplicate_deliveries: records sent twice count once, redelivered messages count as retries of their operation', async () => {
    const { telemetry, report } = sim.summary
    expect(telemetry.duplicates).toBeGreaterThan(50)
    expect(await storedTwice(sim.running.store, 'BANK')).toBe(telemetry.duplicates)
    // Business events: one per step, however often it was delivered.
    const counts = await queryRows<{ Milestone: string; n: string }>(
      sim.running.store,
      `SELECT Milestone, count() AS n FROM business_events FINAL WHERE Process = 'lead_to_cash' AND Milestone IN ('opportunity.won', 'payment.received', 'delivery.created') GROUP BY Milestone ORDER BY Milestone`,
      {},
      { tag: 'test.demo.dup-events' },
    )
    const paid = report.orders.reduce((n, o) => n + o.payments.filter((p) => p.statementAt !== undefined).length, 0)
    expect(Object.fromEntries(counts.map((c) => [c.Milestone, Number(c.n)]))).toEqual({
      'opportunity.won': report.ordersWon,
      'payment.received': paid,
      // A redelivered request is served again (200, the same delivery): a second delivery.created record.
      'delivery.created': report.counters.deliveriesConsumed,
    })
    const { counters } = report
    expect(counters.deliveriesRedelivered).toBeGreaterThan(0)
    const [deliveries] = (
      await integrationHealth(sim.running.store, { integration: 'erp-to-wms-deliveries', fromNs: at(10 * HOUR), toNs: at(14 * HOUR) })
    ).filter((h) => h.endpoint === 'POST /deliveries')
    expect(deliveries).toMatchObject({ retries: counters.deliveriesRedelivered, failedCalls: 0 })
  })

  it('clock_skew: the WMS answers before it is asked, and reservations land before the credit check in the process map', async () => {
    const rows = await queryRows<{ skewed: string; inWindow: string; other: string }>(
      sim.running.store,
      `SELECT countIf(offset_ms = {skewed:Int64}) AS skewed, countIf(in_window) AS inWindow, countIf(offset_ms != {skewed:Int64} AND offset_ms != 15) AS other
       FROM (
         SELECT intDiv(toUnixTimestamp64Nano(s.Timestamp) - toUnixTimestamp64Nano(c.Timestamp), 1000000) AS offset_ms,
                c.Timestamp + INTERVAL 15 MILLISECOND >= fromUnixTimestamp64Nano({from:Int64}) AND c.Timestamp + INTERVAL 15 MILLISECOND < fromUnixTimestamp64Nano({to:Int64}) AS in_window
         FROM (SELECT TraceId, ParentSpanId, Timestamp FROM otel_traces WHERE SpanName = 'POST /reservations' AND SpanKind = 'Server') AS s
         INNER JOIN (SELECT TraceId, SpanId, Timestamp FROM otel_traces WHERE SpanName = 'POST /reservations' AND SpanKind = 'Client') AS c
           ON s.TraceId = c.TraceId AND s.ParentSpanId = c.SpanId
       )`,
      { skewed: 15 + CLOCK_SKEW.offsetMs, from: at(15 * HOUR).toString(), to: at(19 * HOUR).toString() },
      { tag: 'test.demo.skew' },
    )
    const { skewed, inWindow, other } = rows[0]!
    expect(Number(skewed)).toBeGreaterThan(30)
    expect(skewed).toBe(inWindow)
    expect(other).toBe('0')
    // Edges the flow does not allow, into or out of the reservation. (Others occur without any
    // fault: an invoice is posted before the nightly export brings its goods issue.)
    const disallowed = (from: number, to: number): Promise<number> =>
      disallowedTransitions(sim.running.store, sim.definition, { fromNs: at(from), toNs: at(to) }, (m) => m === 'stock.reserved')
    expect(await disallowed(15 * HOUR, 19 * HOUR)).toBeGreaterThan(10)
    expect(await disallowed(2 * HOUR, 14 * HOUR)).toBe(0)
  })

  it('late_batch: the nightly goods-issue export has not arrived three hours after it was due', async () => {
    const freshness = await sourceFreshness(sim.running.store, { now: new Date(sim.summary.toMs), kind: 'service' })
    const exportAge = freshness.find((f) => f.system === 'wms-nightly-export')!.ageSeconds
    // The last one ran a day before: past the 26 h the WMS heartbeat rule allows.
    expect(exportAge).toBeGreaterThan(26 * 3_600)
    const { report } = sim.summary
    const issued = report.orders.flatMap((o) => o.deliveries).filter((d) => d.goodsIssueAt !== undefined)
    const sent = issued.filter((d) => d.exportedAt !== undefined)
    expect(report.counters.exportRuns).toBe(1)
    expect(issued.length - sent.length).toBeGreaterThan(50)
    const [row] = await queryRows<{ n: string }>(
      sim.running.store,
      "SELECT count() AS n FROM business_events FINAL WHERE Process = 'lead_to_cash' AND Milestone = 'goods_issue.posted'",
      {},
      { tag: 'test.demo.goods-issues' },
    )
    expect(Number(row!.n)).toBe(sent.length)
  })
})

// Retail O2O (scenario 3) from Sunday 2026-11-22 10:00 to Tuesday 04:00 Shanghai time, 20
// online orders an hour, each fault in its own slot on the Monday, sent through the real
// OpenTelemetry SDK and POST /v1/events to a real collector and derived with the shipped
// definition. Checked: what the KPIs count equals what the systems did (the run's own report
// and records), every fault shows in the KPI an operator would look at, and the shipped alert
// rules breach on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addBusinessTime } from '../../core/calendar.ts'
import {
  checkScenarioFaults,
  collectorSink,
  parseFaultSpec,
  RETAIL_CLOCK_SKEW,
  runDemo,
  SCENARIO_NAMES,
  STORE_HOURS,
  type DemoSummary,
  type OnlineOrderRecord,
} from '../../demo/index.ts'
import {
  derivePass,
  instancesOfKey,
  integrationHealth,
  loadProcessDefinitions,
  memberEventsCte,
  sourceFreshness,
  stuckInstances,
  syncLag,
  type ProcessDefinition,
} from '../../processes/index.ts'
import { evaluateRule, loadRules, type Rule, type Sample } from '../../rules/index.ts'
import { queryRows } from '../../store/index.ts'
import { loadRunbooks } from '../../triage/index.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'
import { diagnoser, disallowedTransitions, storedTwice } from './scenario-checks.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
/** Sunday 2026-11-22 10:00 in Shanghai, when the stores open: the simulation's first instant. */
const START = Date.parse('2026-11-22T10:00:00+08:00')
/** Monday 00:00: the faults' day. */
const MONDAY = START + 14 * HOUR
const END = MONDAY + 28 * HOUR
/** Offsets from START: Monday 02:00-06:00, 10:00-13:00, 14:00-15:00, 16:00-17:30, 18:00-20:00, 20:00-22:00, from 22:00. */
const FAULTS = [
  'duplicate_deliveries@16h+4h',
  'slow_sync@24h+3h',
  'pos_down@28h+1h',
  'consumer_stopped@30h+90m',
  'mapping_errors@32h+2h',
  'clock_skew@34h+2h',
  'late_batch@36h',
]

let running: RunningCollector
let summary: DemoSummary<'retail-o2o'>
let definition: ProcessDefinition
let rules: readonly Rule[]

beforeAll(async () => {
  // Retention 0: the collector keeps (and accepts) records of any age, so the run can sit on
  // a fixed weekend and its counts stay the same whenever the test runs.
  running = await startCollector({ retention: { tracesDays: 0, logsDays: 0 } })
  summary = await runDemo({
    scenario: 'retail-o2o',
    sink: collectorSink(running.url),
    seed: 5,
    speed: 'max',
    nowMs: END,
    historyMs: END - START,
    durationMs: 0,
    ordersPerHour: 20,
    customerChangesPerHour: 10,
    faults: FAULTS.map(parseFaultSpec),
  })
  if (summary.telemetry.exportFailures > 0 || summary.events.failures > 0) {
    throw new Error(`the collector refused data: ${summary.telemetry.lastExportError ?? summary.events.lastError ?? ''}`)
  }
  await running.waitForRows('otel_traces', summary.telemetry.spans)
  await running.waitForRows('otel_logs', summary.telemetry.logRecords)
  const load = await loadProcessDefinitions('processes.d')
  if (!load.ok) throw new Error(`processes.d does not load: ${JSON.stringify(load.problems)}`)
  definition = load.definitions.find((d) => d.name === 'retail_o2o')!
  const ruleLoad = await loadRules('alert-rules', load.definitions)
  if (!ruleLoad.ok) throw new Error(`alert-rules do not load: ${JSON.stringify(ruleLoad.problems)}`)
  rules = ruleLoad.rules
  await derivePass(running.store, definition, { by: 'ingested', fromMs: 0, toMs: Date.now() + 1_000 })
}, 300_000)
afterAll(async () => {
  await running?.close()
})

const ns = (ms: number): bigint => BigInt(Math.round(ms)) * 1_000_000n
/** Instant `offset` into the simulation, in ns. */
const at = (offset: number): bigint => ns(START + offset)
const orders = (): readonly OnlineOrderRecord[] => summary.report.orders

async function reached(milestone: string): Promise<number> {
  const cte = memberEventsCte({ process: 'retail_o2o', rootKey: 'online_order_no' })
  const [row] = await queryRows<{ n: string }>(
    running.store,
    `WITH ${cte.sql} SELECT uniqExact(instance) AS n FROM member_events WHERE Milestone = {milestone:String}`,
    { ...cte.params, milestone },
    { tag: 'test.demo.o2o-reached' },
  )
  return Number(row?.n ?? 0)
}

async function events(milestone: string): Promise<number> {
  const [row] = await queryRows<{ n: string }>(
    running.store,
    "SELECT count() AS n FROM business_events FINAL WHERE Process = 'retail_o2o' AND Milestone = {milestone:String}",
    { milestone },
    { tag: 'test.demo.o2o-events' },
  )
  return Number(row?.n ?? 0)
}

/** The shipped rule `id`, evaluated at `offset` into the simulation. */
async function evaluate(id: string, offset: number): Promise<Sample[]> {
  const rule = rules.find((r) => r.id === id)
  if (rule === undefined) throw new Error(`alert-rules has no rule ${id}`)
  return evaluateRule({ store: running.store, definitions: new Map([[definition.name, definition]]), atMs: START + offset, wasFiring: () => false }, rule)
}

describe('the retail O2O demo, a weekend day and a Monday with every fault in its slot', () => {
  it('is a registered scenario that refuses faults it does not simulate', () => {
    expect(SCENARIO_NAMES).toContain('retail-o2o')
    expect(() => checkScenarioFaults('retail-o2o', [parseFaultSpec('erp_down')])).toThrow(/erp_down: not a fault of scenario retail-o2o/)
    // The stores' hours in the simulation are the definition's calendar.
    expect(definition.calendar).toEqual(STORE_HOURS)
  })

  it('places, routes, fulfils and syncs as many orders, sales and points as the systems did', async () => {
    const r = summary.report
    // Seed 5 at 20 online orders an hour over 42 hours: the run's own report. It adds up:
    // 849 orders = 833 paid + 16 never paid (cancelled by the shop); 31 cancelled = those 16
    // + 15 the OMS cancelled after three stores declined; 903 routings = 818 accepted + 85
    // declined, and 818 accepted = 833 paid - 15. Points: 1451 changes = 1364 applied + 87
    // refused (mapping_errors); stock: 1586 changes = 1433 applies + 153 folded into a queued one.
    expect({
      onlineOrders: r.onlineOrders,
      inStoreSales: r.inStoreSales,
      paid: r.paid,
      cancelled: r.cancelled,
      declined: r.declined,
      accepted: r.accepted,
      picked: r.picked,
      shipped: r.shipped,
      readyForPickup: r.readyForPickup,
      pickedUp: r.pickedUp,
      pickupsPosted: r.pickupsPosted,
      delivered: r.delivered,
      returned: r.returned,
    }).toEqual({
      onlineOrders: 849,
      inStoreSales: 901,
      paid: 833,
      cancelled: 31,
      declined: 85,
      accepted: 818,
      picked: 685,
      shipped: 372,
      readyForPickup: 290,
      pickedUp: 233,
      pickupsPosted: 57,
      delivered: 131,
      returned: 3,
    })
    expect(orders().reduce((n, o) => n + o.routings.length, 0)).toBe(r.accepted + r.declined)
    expect(r.counters.syncChanges).toEqual({ stock: 1586, points: 1451, member: 414 })
    expect(r.counters.syncApplies).toEqual({ stock: 1433, points: 1364, member: 414 })
    expect(r.counters.syncRefused).toEqual({ points: 87 })
    expect(r.counters.syncCoalesced).toEqual({ stock: 153 })
    expect({
      placed: await reached('order.placed'),
      paid: await reached('payment.captured'),
      routed: await reached('order.routed'),
      accepted: await reached('store.accepted'),
      picked: await reached('order.picked'),
      shipped: await reached('order.shipped'),
      ready: await reached('order.ready_for_pickup'),
      pickedUp: await reached('order.picked_up'),
      delivered: await reached('order.delivered'),
      returned: await reached('order.returned'),
      cancelled: await reached('order.cancelled'),
    }).toEqual({
      placed: r.onlineOrders,
      paid: r.paid,
      routed: r.routed,
      accepted: r.accepted,
      picked: r.picked,
      shipped: r.shipped,
      ready: r.readyForPickup,
      pickedUp: r.pickupsPosted,
      delivered: r.delivered,
      returned: r.returned,
      cancelled: r.cancelled,
    })
    // One order.routed per routing, one store.rejected per declined routing, however often a message came.
    expect(await events('order.routed')).toBe(orders().reduce((n, o) => n + o.routings.length, 0))
    expect(await events('store.rejected')).toBe(r.declined)
    // In-store sales: one till span each. Points and stock: one apply span per applied change.
    const [spans] = await queryRows<{ sales: string; points: string; stock: string; members: string }>(
      running.store,
      `SELECT uniqExactIf(SpanId, SpanName = 'POST /sales') AS sales,
              uniqExactIf(SpanId, SpanAttributes['sync.side'] = 'apply' AND SpanAttributes['sync.entity.type'] = 'points') AS points,
              uniqExactIf(SpanId, SpanAttributes['sync.side'] = 'apply' AND SpanAttributes['sync.entity.type'] = 'stock') AS stock,
              uniqExactIf(SpanId, SpanAttributes['sync.side'] = 'apply' AND SpanAttributes['sync.entity.type'] = 'member') AS members
       FROM otel_traces`,
      {},
      { tag: 'test.demo.o2o-spans' },
    )
    expect(spans).toEqual({
      sales: String(r.inStoreSales),
      points: String(r.counters.syncApplies.points),
      stock: String(r.counters.syncApplies.stock),
      members: String(r.counters.syncApplies.member),
    })
  })

  it('links the shop, OMS, store, pick-up and carrier numbers into one order, with the member as a reference', async () => {
    const shipped = orders().filter((o) => o.shipmentId !== undefined)
    const collected = orders().filter((o) => o.pickupPostedAt !== undefined)
    expect(shipped.length).toBeGreaterThan(20)
    expect(collected.length).toBeGreaterThan(20)
    for (const o of [...shipped.slice(0, 15), ...collected.slice(0, 15)]) {
      expect(await instancesOfKey(running.store, definition, 'store_order_no', o.storeOrderNo!)).toEqual([o.orderNo])
      expect(await instancesOfKey(running.store, definition, 'routing_id', o.routings.at(-1)!.routingId)).toEqual([o.orderNo])
      expect(await instancesOfKey(running.store, definition, 'payment_id', o.paymentId!)).toEqual([o.orderNo])
    }
    for (const o of shipped.slice(0, 10)) expect(await instancesOfKey(running.store, definition, 'shipment_id', o.shipmentId!)).toEqual([o.orderNo])
    for (const o of collected.slice(0, 10)) expect(await instancesOfKey(running.store, definition, 'pickup_code', o.pickupCode!)).toEqual([o.orderNo])
    // A member orders more than once; the member id never joins two orders.
    expect(await instancesOfKey(running.store, definition, 'member_id', shipped[0]!.member.memberId)).toEqual([])
  })

  it('slow_sync: stock movements reach the inventory hours late, stores decline the orders the stale view sent them, then all is well again', async () => {
    const lag = async (from: number, to: number) =>
      (await syncLag(running.store, { fromNs: at(from), toNs: at(to), nowNs: ns(END), entityType: 'stock', sourceSystem: 'POS', targetSystem: 'INV' }))[0]!
    // Monday 10:00-13:00: till sales and picks move stock every half minute or so, each apply
    // takes 200-300 s: a change waits for the whole queue before it.
    const during = await lag(24 * HOUR, 27 * HOUR)
    const sunday = await lag(0, 12 * HOUR)
    const after = await lag(27 * HOUR + 30 * MINUTE, 28 * HOUR)
    // Half the changes wait more than half an hour; the queue is so long that the first ones
    // (10:00) wait longest, until the backlog drains at 13:00.
    expect(during.lagSeconds.p50!).toBeGreaterThan(1_800)
    expect(during.coalesced).toBeGreaterThan(0)
    expect(sunday.lagSeconds.max).toBeLessThan(5)
    expect(after.lagSeconds.max).toBeLessThan(5)
    // Oversell: routings the stores declined, by when the OMS routed them, three hours each.
    const declined = (from: number, to: number): number =>
      orders().reduce((n, o) => n + o.routings.filter((r) => r.outcome === 'declined' && r.routedAt >= START + from && r.routedAt < START + to).length, 0)
    expect(declined(24 * HOUR + 30 * MINUTE, 27 * HOUR + 30 * MINUTE)).toBeGreaterThan(5 * Math.max(1, declined(0, 3 * HOUR)))
    // Past the 300 s of the rule at 11:00; Sunday evening nothing.
    const [breach] = await evaluate('o2o_inventory_sync_lag', 25 * HOUR)
    expect(breach).toMatchObject({ result: 'breach', labels: { source_system: 'POS', target_system: 'INV', entity_type: 'stock' } })
    const [before] = await evaluate('o2o_inventory_sync_lag', 11 * HOUR)
    expect(before).toMatchObject({ result: 'ok' })
    expect(before!.value!).toBeLessThan(5)
  })

  it('pos_down: failed calls to the stores and retries, orders stuck after routing', async () => {
    const { posCalls } = summary.report.counters
    const [health] = await integrationHealth(running.store, { integration: 'oms-to-pos-orders', fromNs: at(28 * HOUR), toNs: at(29 * HOUR) })
    expect(health).toMatchObject({
      sourceSystem: 'OMS',
      targetSystem: 'POS',
      failedCalls: posCalls.unavailable + posCalls.timeout,
      errorsByClass: { client: 0, server: posCalls.unavailable, timeout: posCalls.timeout, other: 0 },
    })
    expect(health!.retries).toBeGreaterThan(20)
    const [errors] = await evaluate('o2o_pos_integration_errors', 28 * HOUR + 30 * MINUTE)
    expect(errors).toMatchObject({ result: 'breach', labels: { integration: 'oms-to-pos-orders', target_system: 'POS' } })
    expect(errors!.value!).toBeGreaterThan(0.9)
    const [afterwards] = await evaluate('o2o_pos_integration_errors', 29 * HOUR + 30 * MINUTE)
    expect(afterwards?.result).toBe('ok')

    // At 14:55, stuck: routed more than 30 minutes before, no answer from the store yet.
    const now = START + 28 * HOUR + 55 * MINUTE
    const waiting = orders().filter((o) => o.routings.some((r) => r.routedAt <= now - 30 * MINUTE && !(r.answeredAt! <= now)))
    expect(waiting.length).toBeGreaterThan(3)
    const stuck = await stuckInstances(running.store, { definition, nowNs: ns(now), limit: 1000 })
    expect(stuck.instances.map((i) => i.instance).sort()).toEqual(waiting.map((o) => o.orderNo).sort())
    for (const instance of stuck.instances) expect(instance).toMatchObject({ lastMilestone: 'order.routed', expectedSystem: 'POS' })
    const [stuckRule] = await evaluate('o2o_stuck_orders', now - START)
    expect(stuckRule).toMatchObject({ result: 'breach', value: waiting.length })
  })

  it('consumer_stopped: paid orders wait for routing and are stuck after 15 minutes, then drain late for the store readiness SLA', async () => {
    // At 17:30, the end of the stop: paid 15 minutes or more before, not routed.
    const now = START + 31 * HOUR + 30 * MINUTE
    const waiting = orders().filter((o) => o.paidAt! <= now - 15 * MINUTE && !((o.routings[0]?.routedAt ?? Infinity) <= now) && o.cancelledAt === undefined)
    expect(waiting.length).toBeGreaterThan(5)
    expect(summary.report.counters.routingBacklogMax).toBeGreaterThanOrEqual(waiting.length)
    const stuck = await stuckInstances(running.store, { definition, nowNs: ns(now), limit: 1000 })
    expect(stuck.instances.map((i) => i.instance).sort()).toEqual(waiting.map((o) => o.orderNo).sort())
    for (const instance of stuck.instances) expect(instance).toMatchObject({ lastMilestone: 'payment.captured', expectedSystem: 'OMS' })
    const value = waiting.reduce((sum, o) => sum + o.value, 0)
    expect(stuck.valueAtRisk).toEqual([{ currency: 'CNY', amount: expect.closeTo(value, 2), instances: waiting.length }])
    const [rule] = await evaluate('o2o_stuck_orders', now - START)
    expect(rule).toMatchObject({ result: 'breach', value: waiting.length })
    // Restarted, the consumer drains the backlog in seconds: nothing is stuck a quarter of an hour later.
    expect((await stuckInstances(running.store, { definition, nowNs: ns(now + 15 * MINUTE) })).stuck).toBe(0)

    // At risk: paid, not yet on the shelf or with the courier, past 80 % of the target in
    // store hours (2 h for pick-up, 8 h for the courier), the deadline not passed. Counted
    // from the run's records every 5 minutes from 17:30 to 19:30, as the orders the stop held
    // back reach their stores; the rule is checked at the
    // first instant with the most.
    const due = (o: OnlineOrderRecord, fraction: number): number =>
      addBusinessTime(STORE_HOURS, new Date(o.paidAt! - 20), fraction * (o.fulfilment === 'pickup' ? 2 : 8) * HOUR).getTime()
    const atRiskAt = (riskAt: number): readonly OnlineOrderRecord[] =>
      orders().filter((o) => {
        if (o.paidAt === undefined || o.cancelledAt! <= riskAt) return false
        const done = o.fulfilment === 'pickup' ? o.readyAt : o.shippedAt
        return !(done! <= riskAt) && due(o, 0.8) <= riskAt && riskAt < due(o, 1)
      })
    let riskAt = START + 31 * HOUR + 30 * MINUTE
    for (let t = riskAt; t <= START + 33 * HOUR + 30 * MINUTE; t += 5 * MINUTE) if (atRiskAt(t).length > atRiskAt(riskAt).length) riskAt = t
    const atRisk = atRiskAt(riskAt)
    expect(atRisk.length).toBeGreaterThan(0)
    const [risk] = await evaluate('o2o_store_ready_at_risk', riskAt - START)
    expect(risk).toMatchObject({ result: 'breach', value: atRisk.length })
  })

  it('mapping_errors: points are refused with client errors while member profiles keep syncing', async () => {
    // Points come from the tills (POS) and the shop (ECOM): one row per source system.
    const points = (await integrationHealth(running.store, { integration: 'loyalty-points-sync', fromNs: at(32 * HOUR), toNs: at(34 * HOUR) })).filter(
      (h) => h.endpoint === 'POST /members/{id}/points-transactions',
    )
    expect(points.map((p) => p.sourceSystem).sort()).toEqual(['ECOM', 'POS'])
    const sum = (pick: (h: (typeof points)[number]) => number): number => points.reduce((n, h) => n + pick(h), 0)
    expect(sum((h) => h.errorsByClass.client)).toBe(summary.report.counters.syncRefused.points)
    expect(sum((h) => h.failedCalls)).toBe(sum((h) => h.calls))
    expect(sum((h) => h.deadLetters)).toBe(sum((h) => h.calls))
    const [members] = await integrationHealth(running.store, { integration: 'ecom-to-crm-members', fromNs: at(32 * HOUR), toNs: at(34 * HOUR) })
    expect(members!.failedCalls).toBe(0)
    const [breach] = await evaluate('o2o_points_sync_errors', 33 * HOUR)
    expect(breach).toMatchObject({ result: 'breach', labels: { integration: 'loyalty-points-sync', target_system: 'CRM' } })
    const [before] = await evaluate('o2o_points_sync_errors', 31 * HOUR)
    expect(before?.result).toBe('ok')
  })

  it('clock_skew: the stores accept orders before the OMS routed them in the process map, only while their clocks are off', async () => {
    expect(RETAIL_CLOCK_SKEW.system).toBe('POS')
    const disallowed = (from: number, to: number): Promise<number> =>
      disallowedTransitions(running.store, definition, { fromNs: at(from), toNs: at(to) }, (m) => m.startsWith('store.'))
    expect(await disallowed(34 * HOUR + 10 * MINUTE, 36 * HOUR)).toBeGreaterThan(15)
    // Orders started an hour before the skew are all packed before it: without it, nothing is out of order.
    // (An order picked unskewed at 19:58 and packed skewed at 20:03 shows the packing first.)
    expect(await disallowed(0, 33 * HOUR)).toBe(0)
  })

  it('duplicate_deliveries: records sent twice count once, redelivered order messages are retries of their operation', async () => {
    const { telemetry, report } = summary
    expect(telemetry.duplicates).toBeGreaterThan(50)
    expect(await storedTwice(running.store, 'POS_EOD')).toBe(telemetry.duplicates)
    expect(report.counters.routingRedelivered).toBeGreaterThan(0)
    const [consumer] = (
      await integrationHealth(running.store, { integration: 'ecom-to-oms-orders', fromNs: at(16 * HOUR), toNs: at(20 * HOUR + 5 * MINUTE) })
    ).filter((h) => h.endpoint === 'ecom.orders process')
    expect(consumer).toMatchObject({ retries: report.counters.routingRedelivered, failedCalls: 0 })
  })

  it("late_batch: no end-of-day batch from the stores since Sunday night, and Monday's pick-ups wait for it", async () => {
    const freshness = await sourceFreshness(running.store, { now: new Date(END), kind: 'service' })
    const batch = freshness.find((f) => f.system === 'POS_EOD')!
    // The last upload was Sunday's (handovers up to 22:00); Monday's 22:30 run is held back 6 hours.
    expect(batch.ageSeconds).toBeGreaterThan(26 * 3_600)
    const { report } = summary
    expect(report.counters.lateEodRuns).toBe(1)
    expect(report.counters.eodRuns).toBe(1)
    expect(report.pickedUp - report.pickupsPosted).toBeGreaterThan(100)
    expect(await events('order.picked_up')).toBe(report.pickupsPosted)
  })

  it("runs each runbook's diagnostics on the faults' data without errors, and they point at the cause", async () => {
    const load = await loadRunbooks('runbooks')
    if (!load.ok) throw new Error(`runbooks do not load: ${JSON.stringify(load.problems)}`)
    /** The runbook's automatic diagnostics for the alert of rule `ruleId` at `offset`, by step name. */
    const diagnose = diagnoser(running.store, load.runbooks, evaluate, START)
    // Monday 14:30, POS down since 14:00: failed calls, several stores.
    const pos = await diagnose('o2o-pos-offline', 'o2o_pos_integration_errors', 28 * HOUR + 30 * MINUTE, 10 * MINUTE)
    expect(pos.failing_stores).toBeGreaterThan(1)
    expect(pos.calls_per_store).toBeGreaterThan(1)
    // 11:00, stock applies crawling since 10:00: buckets with changes and applies, and declines.
    const lag = await diagnose('o2o-inventory-sync-lag', 'o2o_inventory_sync_lag', 25 * HOUR, HOUR)
    expect(lag).toMatchObject({ changes_vs_applies: 6, declined_routings: 1 })
    // 19:00, points refused since 18:00: refused from both sources.
    const points = await diagnose('o2o-points-sync-errors', 'o2o_points_sync_errors', 33 * HOUR, 30 * MINUTE)
    expect(points.refused_points).toBe(2)
    // 17:30, the routing consumer stopped since 16:00: the unrouted orders, one row each.
    const now = START + 31 * HOUR + 30 * MINUTE
    const unrouted = orders().filter((o) => o.paidAt! <= now && !((o.routings[0]?.routedAt ?? Infinity) <= now) && o.cancelledAt === undefined)
    const stuck = await diagnose('o2o-stuck-orders', 'o2o_stuck_orders', now - START, 15 * MINUTE)
    expect(stuck.unrouted_orders).toBe(Math.min(15, unrouted.length))
    // 17:45, the orders the stop held back are in the stores, some not ready yet.
    const unready = await diagnose('o2o-store-ready-sla', 'o2o_store_ready_at_risk', 31 * HOUR + 45 * MINUTE, MINUTE)
    expect(unready.unready_orders).toBeGreaterThan(3)
    // The end: no closing batch since Sunday's.
    const eod = await diagnose('o2o-eod-batch-silent', 'o2o_eod_batch_silent', END - START, 26 * HOUR)
    expect(eod.last_batches).toBe(1)
  })
})

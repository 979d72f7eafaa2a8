// Manufacturing, make to order (scenario 2) from Sunday 2026-11-22 06:00 to Tuesday 04:00
// Shanghai time, 12 sales orders an hour, each fault in its own slot on the Monday, sent
// through the real OpenTelemetry SDK and POST /v1/events to a real collector and derived with
// the shipped definition. Checked: what the KPIs count equals what the systems did (the run's
// own report and records), every fault shows in the KPI an operator would look at, and the
// shipped alert rules breach on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addBusinessTime } from '../../core/calendar.ts'
import {
  checkScenarioFaults,
  collectorSink,
  MFG_CLOCK_SKEW,
  parseFaultSpec,
  PLANT_HOURS,
  runDemo,
  SCENARIO_NAMES,
  type DemoSummary,
  type ProductionRecord,
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
/** Sunday 2026-11-22 06:00 in Shanghai, when the early shift starts: the simulation's first instant. */
const START = Date.parse('2026-11-22T06:00:00+08:00')
/** Monday 00:00: the faults' day. */
const MONDAY = START + 18 * HOUR
const END = MONDAY + 28 * HOUR
/** Offsets from START: Monday 02:00-06:00, 08:00-09:00, 10:00-12:00, 13:00-15:00, from 14:00, 16:00-19:00, 19:00-21:00. */
const FAULTS = [
  'duplicate_deliveries@20h+4h',
  'supplier_down@26h+1h',
  'consumer_stopped@28h+2h',
  'mapping_errors@31h+2h',
  'late_batch@32h',
  'slow_sync@34h+3h',
  'clock_skew@37h+2h',
]

let running: RunningCollector
let summary: DemoSummary<'manufacturing'>
let definition: ProcessDefinition
let rules: readonly Rule[]

beforeAll(async () => {
  // Retention 0: the collector keeps (and accepts) records of any age, so the run can sit on
  // a fixed weekend and its counts stay the same whenever the test runs.
  running = await startCollector({ retention: { tracesDays: 0, logsDays: 0 } })
  summary = await runDemo({
    scenario: 'manufacturing',
    sink: collectorSink(running.url),
    seed: 5,
    speed: 'max',
    nowMs: END,
    historyMs: END - START,
    durationMs: 0,
    ordersPerHour: 12,
    faults: FAULTS.map(parseFaultSpec),
  })
  if (summary.telemetry.exportFailures > 0 || summary.events.failures > 0) {
    throw new Error(`the collector refused data: ${summary.telemetry.lastExportError ?? summary.events.lastError ?? ''}`)
  }
  await running.waitForRows('otel_traces', summary.telemetry.spans)
  await running.waitForRows('otel_logs', summary.telemetry.logRecords)
  const load = await loadProcessDefinitions('processes.d')
  if (!load.ok) throw new Error(`processes.d does not load: ${JSON.stringify(load.problems)}`)
  definition = load.definitions.find((d) => d.name === 'make_to_order')!
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
const orders = (): readonly ProductionRecord[] => summary.report.orders

async function reached(milestone: string): Promise<number> {
  const cte = memberEventsCte({ process: 'make_to_order', rootKey: 'sales_order_no' })
  const [row] = await queryRows<{ n: string }>(
    running.store,
    `WITH ${cte.sql} SELECT uniqExact(instance) AS n FROM member_events WHERE Milestone = {milestone:String}`,
    { ...cte.params, milestone },
    { tag: 'test.demo.mfg-reached' },
  )
  return Number(row?.n ?? 0)
}

async function events(milestone: string): Promise<number> {
  const [row] = await queryRows<{ n: string }>(
    running.store,
    "SELECT count() AS n FROM business_events FINAL WHERE Process = 'make_to_order' AND Milestone = {milestone:String}",
    { milestone },
    { tag: 'test.demo.mfg-events' },
  )
  return Number(row?.n ?? 0)
}

/** The shipped rule `id`, evaluated at `offset` into the simulation. */
async function evaluate(id: string, offset: number): Promise<Sample[]> {
  const rule = rules.find((r) => r.id === id)
  if (rule === undefined) throw new Error(`alert-rules has no rule ${id}`)
  return evaluateRule({ store: running.store, definitions: new Map([[definition.name, definition]]), atMs: START + offset, wasFiring: () => false }, rule)
}

describe('the manufacturing demo, a Sunday and a Monday with every fault in its slot', () => {
  it('is a registered scenario that refuses faults it does not simulate', () => {
    expect(SCENARIO_NAMES).toContain('manufacturing')
    expect(() => checkScenarioFaults('manufacturing', [parseFaultSpec('pos_down')])).toThrow(/pos_down: not a fault of scenario manufacturing/)
    // The plant's shifts in the simulation are the definition's calendar.
    expect(definition.calendar).toEqual(PLANT_HOURS)
  })

  it('plans, makes, stocks, ships and delivers as many orders as the systems did', async () => {
    const r = summary.report
    // Seed 5 at 12 sales orders an hour over 46 hours: the run's own report. It adds up:
    // 553 orders, 552 planned and confirmed (the last one came a minute before the end), 549
    // released and scheduled (releases take up to 10 minutes); jobs scheduled after Monday's
    // late shift wait for Tuesday 06:00 (477 started); 452 completed, 450 of them received,
    // posted and made a delivery; 425 shipped, 141 delivered 12-48 hours later. 348 yield confirmations posted: Monday's two
    // shift reports came late (late_batch), the second after the end.
    expect({
      salesOrders: r.salesOrders,
      productionOrders: r.productionOrders,
      materialsConfirmed: r.materialsConfirmed,
      released: r.released,
      scheduled: r.scheduled,
      started: r.started,
      completed: r.completed,
      yieldConfirmed: r.yieldConfirmed,
      yieldPosted: r.yieldPosted,
      received: r.received,
      goodsReceiptsPosted: r.goodsReceiptsPosted,
      deliveries: r.deliveries,
      issued: r.issued,
      delivered: r.delivered,
    }).toEqual({
      salesOrders: 553,
      productionOrders: 552,
      materialsConfirmed: 552,
      released: 549,
      scheduled: 549,
      started: 477,
      completed: 452,
      yieldConfirmed: 452,
      yieldPosted: 348,
      received: 450,
      goodsReceiptsPosted: 450,
      deliveries: 450,
      issued: 425,
      delivered: 141,
    })
    // Stock: 1431 component movements (3 per job started) = 1120 posted + 51 refused
    // (mapping_errors) + 260 folded into a queued one; 875 finished goods movements (450
    // receipts, 425 issues), all posted.
    expect(r.counters.syncChanges).toEqual({ raw_material: 1431, finished_goods: 875 })
    expect(r.counters.syncApplies).toEqual({ raw_material: 1120, finished_goods: 875 })
    expect(r.counters.syncRefused).toEqual({ raw_material: 51 })
    expect(r.counters.syncCoalesced).toEqual({ raw_material: 260 })
    expect(r.counters.syncChanges.raw_material).toBe(3 * r.started)
    expect(r.counters.syncChanges.finished_goods).toBe(r.received + r.issued)
    expect({
      created: await reached('sales_order.created'),
      planned: await reached('production_order.created'),
      confirmed: await reached('materials.confirmed'),
      released: await reached('production_order.released'),
      scheduled: await reached('production.scheduled'),
      started: await reached('production.started'),
      completed: await reached('production.completed'),
      yieldReported: await reached('yield.reported'),
      received: await reached('goods.received'),
      posted: await reached('goods_receipt.posted'),
      deliveries: await reached('delivery.created'),
      issued: await reached('goods.issued'),
      delivered: await reached('order.delivered'),
    }).toEqual({
      created: r.salesOrders,
      planned: r.productionOrders,
      confirmed: r.materialsConfirmed,
      released: r.released,
      scheduled: r.scheduled,
      started: r.started,
      completed: r.completed,
      yieldReported: r.yieldPosted,
      received: r.received,
      posted: r.goodsReceiptsPosted,
      deliveries: r.deliveries,
      issued: r.issued,
      delivered: r.delivered,
    })
    // One production.scheduled per order however often its message came; one goods receipt posting each.
    expect(await events('production.scheduled')).toBe(r.scheduled)
    expect(await events('goods_receipt.posted')).toBe(r.goodsReceiptsPosted)
    // One posting span per posted stock item.
    const [spans] = await queryRows<{ raw: string; finished: string }>(
      running.store,
      `SELECT uniqExactIf(SpanId, SpanAttributes['sync.side'] = 'apply' AND SpanAttributes['sync.entity.type'] = 'raw_material') AS raw,
              uniqExactIf(SpanId, SpanAttributes['sync.side'] = 'apply' AND SpanAttributes['sync.entity.type'] = 'finished_goods') AS finished
       FROM otel_traces`,
      {},
      { tag: 'test.demo.mfg-spans' },
    )
    expect(spans).toEqual({ raw: String(r.counters.syncApplies.raw_material), finished: String(r.counters.syncApplies.finished_goods) })
  })

  it('links the ERP, MES and WMS numbers into one order, with the customer as a reference', async () => {
    const delivered = orders().filter((o) => o.deliveredAt !== undefined)
    expect(delivered.length).toBeGreaterThan(20)
    for (const o of delivered.slice(0, 15)) {
      expect(await instancesOfKey(running.store, definition, 'production_order_no', o.productionOrderNo!)).toEqual([o.salesOrderNo])
      expect(await instancesOfKey(running.store, definition, 'mes_job_id', o.mesJobId!)).toEqual([o.salesOrderNo])
      expect(await instancesOfKey(running.store, definition, 'handling_unit_id', o.handlingUnitId!)).toEqual([o.salesOrderNo])
      expect(await instancesOfKey(running.store, definition, 'material_document_no', o.materialDocumentNo!)).toEqual([o.salesOrderNo])
      expect(await instancesOfKey(running.store, definition, 'delivery_no', o.deliveryNo!)).toEqual([o.salesOrderNo])
    }
    // A customer orders more than once; the customer id never joins two orders.
    expect(await instancesOfKey(running.store, definition, 'customer_id', delivered[0]!.customer.customerId)).toEqual([])
  })

  it('supplier_down: failed availability checks and retries, production orders stuck before release', async () => {
    const { supplierCalls } = summary.report.counters
    const [health] = await integrationHealth(running.store, { integration: 'erp-to-supplier-availability', fromNs: at(26 * HOUR), toNs: at(27 * HOUR) })
    expect(health).toMatchObject({
      sourceSystem: 'ERP',
      targetSystem: 'SUPPLIER',
      failedCalls: supplierCalls.unavailable + supplierCalls.timeout,
      errorsByClass: { client: 0, server: supplierCalls.unavailable, timeout: supplierCalls.timeout, other: 0 },
    })
    expect(health!.retries).toBeGreaterThan(10)
    const [errors] = await evaluate('mfg_supplier_portal_errors', 26 * HOUR + 30 * MINUTE)
    expect(errors).toMatchObject({ result: 'breach', labels: { integration: 'erp-to-supplier-availability', target_system: 'SUPPLIER' } })
    expect(errors!.value!).toBeGreaterThan(0.9)
    const [afterwards] = await evaluate('mfg_supplier_portal_errors', 27 * HOUR + 45 * MINUTE)
    expect(afterwards?.result).toBe('ok')

    // At 08:55, stuck: planned more than 30 minutes before, no availability answer yet.
    const now = START + 26 * HOUR + 55 * MINUTE
    const waiting = orders().filter((o) => o.productionOrderCreatedAt! <= now - 30 * MINUTE && !(o.materialsConfirmedAt! <= now))
    expect(waiting.length).toBeGreaterThan(3)
    const stuck = await stuckInstances(running.store, { definition, nowNs: ns(now), limit: 1000 })
    expect(stuck.instances.map((i) => i.instance).sort()).toEqual(waiting.map((o) => o.salesOrderNo).sort())
    for (const instance of stuck.instances) expect(instance).toMatchObject({ lastMilestone: 'production_order.created', expectedSystem: 'ERP' })
    const [stuckRule] = await evaluate('mfg_stuck_orders', now - START)
    expect(stuckRule).toMatchObject({ result: 'breach', value: waiting.length })
  })

  it('consumer_stopped: released orders wait for the MES and are stuck after 30 minutes, then reach stock late for order-to-stock', async () => {
    // At 12:00, the end of the stop: released 30 minutes or more before, not scheduled.
    const now = START + 30 * HOUR
    const waiting = orders().filter((o) => o.releasedAt! <= now - 30 * MINUTE && !(o.scheduledAt! <= now))
    expect(waiting.length).toBeGreaterThan(5)
    expect(summary.report.counters.orderBacklogMax).toBeGreaterThanOrEqual(waiting.length)
    const stuck = await stuckInstances(running.store, { definition, nowNs: ns(now), limit: 1000 })
    expect(stuck.instances.map((i) => i.instance).sort()).toEqual(waiting.map((o) => o.salesOrderNo).sort())
    for (const instance of stuck.instances) expect(instance).toMatchObject({ lastMilestone: 'production_order.released', expectedSystem: 'MES' })
    const value = waiting.reduce((sum, o) => sum + o.value, 0)
    expect(stuck.valueAtRisk).toEqual([{ currency: 'CNY', amount: expect.closeTo(value, 2), instances: waiting.length }])
    const [rule] = await evaluate('mfg_stuck_orders', now - START)
    expect(rule).toMatchObject({ result: 'breach', value: waiting.length })
    // Restarted, the consumer drains the backlog in seconds: nothing is stuck a quarter of an hour later.
    expect((await stuckInstances(running.store, { definition, nowNs: ns(now + 15 * MINUTE) })).stuck).toBe(0)

    // At risk: ordered, goods receipt not posted, past 80 % of 6 plant hours, the deadline
    // not passed. Counted from the run's records every 5 minutes from 12:00 to 16:00 (when
    // slow_sync starts), as the orders the stop held back go through the line; the rule is
    // checked at the first instant with the most.
    const due = (o: ProductionRecord, fraction: number): number => addBusinessTime(PLANT_HOURS, new Date(o.createdAt), fraction * 6 * HOUR).getTime()
    const atRiskAt = (riskAt: number): readonly ProductionRecord[] =>
      orders().filter((o) => o.createdAt <= riskAt && !(o.goodsReceiptPostedAt! <= riskAt) && due(o, 0.8) <= riskAt && riskAt < due(o, 1))
    let riskAt = START + 30 * HOUR
    for (let t = riskAt; t < START + 34 * HOUR; t += 5 * MINUTE) if (atRiskAt(t).length > atRiskAt(riskAt).length) riskAt = t
    const atRisk = atRiskAt(riskAt)
    expect(atRisk.length).toBeGreaterThan(0)
    const [risk] = await evaluate('mfg_order_to_stock_at_risk', riskAt - START)
    expect(risk).toMatchObject({ result: 'breach', value: atRisk.length })
  })

  it('slow_sync: finished goods reach the ERP hours late, orders wait after the goods receipt, then all is well again', async () => {
    const lag = async (from: number, to: number) =>
      (
        await syncLag(running.store, {
          fromNs: at(from),
          toNs: at(to),
          nowNs: ns(END),
          entityType: 'finished_goods',
          sourceSystem: 'WMS',
          targetSystem: 'ERP',
        })
      )[0]!
    // Monday 16:00-19:00: each posting takes 150-250 s; a run overruns the next ones and
    // holds every movement made meanwhile.
    const during = await lag(34 * HOUR, 37 * HOUR)
    const sunday = await lag(0, 12 * HOUR)
    const after = await lag(37 * HOUR + 30 * MINUTE, 38 * HOUR)
    expect(during.lagSeconds.p50!).toBeGreaterThan(1_800)
    expect(sunday.lagSeconds.max).toBeLessThan(400)
    expect(after.lagSeconds.max).toBeLessThan(400)
    // At 18:30: received in the warehouse an hour or more before, not posted in the ERP.
    const now = START + 36 * HOUR + 30 * MINUTE
    const waiting = orders().filter((o) => o.receivedAt! <= now - HOUR && !(o.goodsReceiptPostedAt! <= now))
    expect(waiting.length).toBeGreaterThan(3)
    const stuck = await stuckInstances(running.store, { definition, nowNs: ns(now), limit: 1000 })
    expect(stuck.instances.map((i) => i.instance).sort()).toEqual(waiting.map((o) => o.salesOrderNo).sort())
    for (const instance of stuck.instances) expect(instance).toMatchObject({ lastMilestone: 'goods.received', expectedSystem: 'ERP' })
    // Past the 900 s of the rule at 18:00; Sunday noon nothing.
    const [breach] = await evaluate('mfg_inventory_sync_lag', 36 * HOUR)
    expect(breach).toMatchObject({ result: 'breach', labels: { source_system: 'WMS', target_system: 'ERP', entity_type: 'finished_goods' } })
    const [before] = await evaluate('mfg_inventory_sync_lag', 6 * HOUR)
    expect(before).toMatchObject({ result: 'ok' })
    expect(before!.value!).toBeLessThan(400)
  })

  it('mapping_errors: component postings are refused with client errors while finished goods keep syncing', async () => {
    const [stock] = await integrationHealth(running.store, { integration: 'wms-to-erp-stock', fromNs: at(31 * HOUR), toNs: at(33 * HOUR) })
    expect(stock).toMatchObject({ sourceSystem: 'WMS', targetSystem: 'ERP', endpoint: 'POST A_MaterialDocumentHeader' })
    expect(stock!.errorsByClass.client).toBe(summary.report.counters.syncRefused.raw_material)
    expect(stock!.failedCalls).toBe(stock!.errorsByClass.client)
    expect(stock!.deadLetters).toBe(stock!.failedCalls)
    // Finished goods still post: goods receipts of the window reach the ERP.
    const received = orders().filter((o) => o.receivedAt! >= START + 31 * HOUR && o.receivedAt! < START + 33 * HOUR)
    expect(received.length).toBeGreaterThan(5)
    for (const o of received) expect(o.goodsReceiptPostedAt! - o.receivedAt!).toBeLessThan(6 * MINUTE)
    const [breach] = await evaluate('mfg_stock_sync_errors', 32 * HOUR)
    expect(breach).toMatchObject({ result: 'breach', labels: { integration: 'wms-to-erp-stock', target_system: 'ERP' } })
    const [before] = await evaluate('mfg_stock_sync_errors', 30 * HOUR)
    expect(before?.result).toBe('ok')
  })

  it('clock_skew: the MES schedules orders before the ERP released them in the process map, only while its clocks are off', async () => {
    expect(MFG_CLOCK_SKEW.system).toBe('MES')
    const disallowed = (from: number, to: number): Promise<number> =>
      disallowedTransitions(running.store, definition, { fromNs: at(from), toNs: at(to) }, (m) => m.startsWith('production.'))
    expect(await disallowed(37 * HOUR + 10 * MINUTE, 39 * HOUR)).toBeGreaterThan(10)
    // Orders taken an hour before the skew are released before it: without it, nothing is out of order.
    expect(await disallowed(0, 36 * HOUR)).toBe(0)
  })

  it('duplicate_deliveries: records sent twice count once, redelivered production orders are retries of their operation', async () => {
    const { telemetry, report } = summary
    expect(telemetry.duplicates).toBeGreaterThan(50)
    expect(await storedTwice(running.store, 'MES_BATCH')).toBe(telemetry.duplicates)
    expect(report.counters.orderRedelivered).toBeGreaterThan(0)
    const [consumer] = (
      await integrationHealth(running.store, { integration: 'erp-to-mes-orders', fromNs: at(20 * HOUR), toNs: at(24 * HOUR + 5 * MINUTE) })
    ).filter((h) => h.endpoint === 'erp.production-orders process')
    expect(consumer).toMatchObject({ retries: report.counters.orderRedelivered, failedCalls: 0 })
  })

  it("late_batch: no shift report since Monday's early shift, and the jobs completed since wait for it", async () => {
    const freshness = await sourceFreshness(running.store, { now: new Date(END), kind: 'service' })
    const batch = freshness.find((f) => f.system === 'MES_BATCH')!
    // Monday's early-shift report arrived 8 hours late, its late-shift report is held back past
    // the end: the newest confirmation is from before 14:00.
    expect(batch.ageSeconds).toBeGreaterThanOrEqual(14 * 3_600)
    const { report } = summary
    expect(report.counters.lateBatchRuns).toBe(2)
    expect(report.counters.batchRuns).toBe(3)
    expect(report.yieldConfirmed - report.yieldPosted).toBeGreaterThan(100)
    expect(await events('yield.reported')).toBe(report.yieldPosted)
  })

  it("runs each runbook's diagnostics on the faults' data without errors, and they point at the cause", async () => {
    const load = await loadRunbooks('runbooks')
    if (!load.ok) throw new Error(`runbooks do not load: ${JSON.stringify(load.problems)}`)
    /** The runbook's automatic diagnostics for the alert of rule `ruleId` at `offset`, by step name. */
    const diagnose = diagnoser(running.store, load.runbooks, evaluate, START)
    // Monday 08:30, the supplier portal down since 08:00: 503s and timeouts, orders waiting.
    const supplier = await diagnose('mfg-supplier-portal-down', 'mfg_supplier_portal_errors', 26 * HOUR + 30 * MINUTE, 30 * MINUTE)
    expect(supplier.failed_checks).toBe(2)
    expect(supplier.unconfirmed_orders).toBeGreaterThan(3)
    // 18:00, postings crawling since 16:00: buckets with changes and postings, receipts unposted.
    const lag = await diagnose('mfg-inventory-sync-lag', 'mfg_inventory_sync_lag', 36 * HOUR, HOUR)
    expect(lag.changes_vs_postings).toBe(6)
    expect(lag.unposted_receipts).toBeGreaterThan(3)
    // 14:00, component postings refused since 13:00: one entity type refused, both posted.
    const mapping = await diagnose('mfg-stock-mapping-errors', 'mfg_stock_sync_errors', 32 * HOUR, 30 * MINUTE)
    expect(mapping).toMatchObject({ refused_postings: 1, postings_per_entity_type: 2 })
    // 12:00, the MES consumer stopped since 10:00: the unscheduled orders, one row each.
    const now = START + 30 * HOUR
    const unscheduled = orders().filter((o) => o.releasedAt! <= now && !(o.scheduledAt! <= now))
    const stuck = await diagnose('mfg-stuck-orders', 'mfg_stuck_orders', now - START, 15 * MINUTE)
    expect(stuck.unscheduled_orders).toBe(Math.min(15, unscheduled.length))
    expect(stuck.open_by_stage).toBeGreaterThan(1)
    // 13:00, the orders the stop held back are on the line, not in stock yet.
    const unstocked = await diagnose('mfg-order-to-stock-sla', 'mfg_order_to_stock_at_risk', 31 * HOUR, MINUTE)
    expect(unstocked.unstocked_orders).toBeGreaterThan(3)
    // The end: no shift report since Monday's early shift.
    const shift = await diagnose('mfg-shift-batch-silent', 'mfg_shift_batch_silent', END - START, 18 * HOUR)
    expect(shift.last_batches).toBe(1)
  })
})

// Bank credit approval (scenario 4) for 28 simulated hours, Monday 2026-11-23 00:00 to
// Tuesday 04:00 Shanghai time, 20 applications an hour, with each fault in its own slot,
// sent through the real OpenTelemetry SDK and POST /v1/events to a real collector and
// derived with the shipped definition. Checked: what the KPIs count equals what the systems
// did (the run's own report and records), every fault shows in the KPI an operator would
// look at, and the shipped alert rules breach on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BANK_CREDIT_CLOCK_SKEW,
  collectorSink,
  parseFaultSpec,
  REVIEW_CALENDAR,
  runDemo,
  startDemo,
  type ApplicationRecord,
  type DemoSummary,
} from '../../demo/index.ts'
import {
  derivePass,
  instancesOfKey,
  integrationHealth,
  loadProcessDefinitions,
  memberEventsCte,
  slaAttainment,
  sourceFreshness,
  stuckInstances,
  syncLag,
  type ProcessDefinition,
} from '../../processes/index.ts'
import { evaluateRule, loadRules, type Rule, type Sample } from '../../rules/index.ts'
import { queryRows } from '../../store/index.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'
import { disallowedTransitions, storedTwice } from './scenario-checks.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
/** Monday 2026-11-23 00:00 in Shanghai: the simulation's first instant. */
const START = Date.parse('2026-11-23T00:00:00+08:00')
const END = START + 28 * HOUR
const FAULTS = [
  'bureau_down@2h+1h',
  'slow_sync@5h+3h',
  'mapping_errors@9h+2h',
  'clock_skew@12h+3h',
  'duplicate_deliveries@16h+3h',
  'consumer_stopped@20h+4h',
  'late_batch@25h',
]

let running: RunningCollector
let summary: DemoSummary<'bank-credit'>
let definition: ProcessDefinition
let rules: readonly Rule[]

beforeAll(async () => {
  // Retention 0: the collector keeps (and accepts) records of any age, so the run can sit on
  // a fixed Monday and its counts stay the same whenever the test runs.
  running = await startCollector({ retention: { tracesDays: 0, logsDays: 0 } })
  summary = await runDemo({
    scenario: 'bank-credit',
    sink: collectorSink(running.url),
    seed: 4,
    speed: 'max',
    nowMs: END,
    historyMs: 28 * HOUR,
    durationMs: 0,
    ordersPerHour: 20,
    customerChangesPerHour: 30,
    faults: FAULTS.map(parseFaultSpec),
  })
  if (summary.telemetry.exportFailures > 0 || summary.events.failures > 0) {
    throw new Error(`the collector refused data: ${summary.telemetry.lastExportError ?? summary.events.lastError ?? ''}`)
  }
  await running.waitForRows('otel_traces', summary.telemetry.spans)
  await running.waitForRows('otel_logs', summary.telemetry.logRecords)
  const load = await loadProcessDefinitions('processes.d')
  if (!load.ok) throw new Error(`processes.d does not load: ${JSON.stringify(load.problems)}`)
  definition = load.definitions.find((d) => d.name === 'bank_credit')!
  const ruleLoad = await loadRules('alert-rules', load.definitions)
  if (!ruleLoad.ok) throw new Error(`alert-rules do not load: ${JSON.stringify(ruleLoad.problems)}`)
  rules = ruleLoad.rules
  await derivePass(running.store, definition, { by: 'ingested', fromMs: 0, toMs: Date.now() + 1_000 })
}, 180_000)
afterAll(async () => {
  await running.close()
})

const ns = (ms: number): bigint => BigInt(Math.round(ms)) * 1_000_000n
/** Instant `offset` into the simulation, in ns. */
const at = (offset: number): bigint => ns(START + offset)
const apps = (): readonly ApplicationRecord[] => summary.report.applicationRecords

async function reached(milestone: string): Promise<number> {
  const cte = memberEventsCte({ process: 'bank_credit', rootKey: 'application_id' })
  const [row] = await queryRows<{ n: string }>(
    running.store,
    `WITH ${cte.sql} SELECT uniqExact(instance) AS n FROM member_events WHERE Milestone = {milestone:String}`,
    { ...cte.params, milestone },
    { tag: 'test.demo.bc-reached' },
  )
  return Number(row?.n ?? 0)
}

/** The shipped rule `id`, evaluated at `offset` into the simulation. */
async function evaluate(id: string, offset: number): Promise<Sample[]> {
  const rule = rules.find((r) => r.id === id)
  if (rule === undefined) throw new Error(`alert-rules has no rule ${id}`)
  return evaluateRule({ store: running.store, definitions: new Map([[definition.name, definition]]), atMs: START + offset, wasFiring: () => false }, rule)
}

describe('the bank credit demo, a Monday and a night with every fault in its slot', () => {
  it('decides, reviews, books and pays out as many applications as the systems did', async () => {
    const r = summary.report
    // Seed 4 at 20 an hour over 28 hours: the run's own report. It adds up: 13 identity
    // failures + 528 bureau reports = 541 applications; 528 scored = 366 approved + 52
    // declined by the engine + 110 referred; 415 booked = 366 + 49 approved by reviewers.
    expect({
      applications: r.applications,
      identityFailed: r.identityFailed,
      scored: r.scored,
      autoApproved: r.autoApproved,
      autoDeclined: r.autoDeclined,
      referred: r.referred,
      reviewed: r.reviewed,
      reviewApproved: r.reviewApproved,
      booked: r.booked,
      disbursed: r.disbursed,
    }).toEqual({
      applications: 541,
      identityFailed: 13,
      scored: 528,
      autoApproved: 366,
      autoDeclined: 52,
      referred: 110,
      reviewed: 73,
      reviewApproved: 49,
      booked: 415,
      disbursed: 363,
    })
    expect(r.identityFailed + r.bureauReports).toBe(r.applications)
    expect(r.autoApproved + r.autoDeclined + r.referred).toBe(r.scored)
    expect(r.autoApproved + r.reviewApproved).toBe(r.booked)
    expect({
      submitted: await reached('application.submitted'),
      received: await reached('application.received'),
      verified: await reached('identity.verified'),
      bureau: await reached('bureau_report.received'),
      scored: await reached('score.computed'),
      autoApproved: await reached('decision.approved'),
      referred: await reached('decision.referred'),
      reviewApproved: await reached('review.approved'),
      reviewDeclined: await reached('review.declined'),
      booked: await reached('loan.booked'),
      disbursed: await reached('loan.disbursed'),
    }).toEqual({
      submitted: r.applications,
      received: r.applications,
      verified: r.applications - r.identityFailed,
      bureau: r.bureauReports,
      scored: r.scored,
      autoApproved: r.autoApproved,
      referred: r.referred,
      reviewApproved: r.reviewApproved,
      reviewDeclined: r.reviewDeclined,
      booked: r.booked,
      disbursed: r.disbursed,
    })
  })

  it('links the channel, BPM, bureau and core numbers into one application, with the customer ids as references', async () => {
    const booked = apps().filter((a) => a.loanAccountNo !== undefined)
    for (const app of booked.slice(0, 40)) {
      expect(await instancesOfKey(running.store, definition, 'loan_account_no', app.loanAccountNo!)).toEqual([app.applicationId])
      expect(await instancesOfKey(running.store, definition, 'bpm_instance_id', app.bpmInstanceId!)).toEqual([app.applicationId])
      expect(await instancesOfKey(running.store, definition, 'bureau_report_id', app.bureauReportId!)).toEqual([app.applicationId])
    }
    // A customer applies more than once; the CIF number never joins two applications.
    expect(await instancesOfKey(running.store, definition, 'cif_no', booked[0]!.customer.cifNo)).toEqual([])
  })

  it('decides simple applications within 10 minutes unless they go to the review desk', async () => {
    // Due in the first two (fault-free) hours: simple applications submitted before 01:50.
    // Met: decided by the engine (or failed the identity check) in seconds; breached: the
    // referred ones, which wait for the desk to open at 09:00.
    const due = apps().filter((a) => a.track === 'simple' && a.submittedAt + 10 * MINUTE < START + 2 * HOUR)
    const breached = due.filter((a) => a.decision === 'referred')
    expect(breached.length).toBeGreaterThan(0)
    const [sla] = await slaAttainment(running.store, { definition, window: { fromNs: at(0), toNs: at(2 * HOUR) }, nowNs: at(2 * HOUR) }, 'simple_decision')
    expect(sla).toMatchObject({ due: due.length, met: due.length - breached.length, breached: breached.length })
    // The desk's calendar in the simulation is the definition's.
    expect(definition.calendar).toEqual(REVIEW_CALENDAR)
  })

  it('bureau_down: failed bureau calls and retries in the outage, applications stuck before the bureau, the decision SLA at risk', async () => {
    const { bureauCalls } = summary.report.counters
    expect(bureauCalls.unavailable + bureauCalls.timeout).toBeGreaterThan(30)
    const [health] = await integrationHealth(running.store, { integration: 'bpm-to-bureau', fromNs: at(2 * HOUR), toNs: at(3 * HOUR) })
    expect(health).toMatchObject({
      sourceSystem: 'BPM',
      targetSystem: 'BUREAU',
      failedCalls: bureauCalls.unavailable + bureauCalls.timeout,
      errorsByClass: { client: 0, server: bureauCalls.unavailable, timeout: bureauCalls.timeout, other: 0 },
    })
    expect(health!.retries).toBeGreaterThan(20)
    const [errors] = await evaluate('bc_bureau_integration_errors', 2 * HOUR + 30 * MINUTE)
    expect(errors).toMatchObject({ result: 'breach', labels: { integration: 'bpm-to-bureau', target_system: 'BUREAU' } })
    expect(errors!.value!).toBeGreaterThan(0.9)

    // At 02:55, stuck: identity verified more than 30 minutes before and no bureau report yet.
    const now = START + 2 * HOUR + 55 * MINUTE
    const waiting = apps().filter((a) => a.identityVerifiedAt! <= now - 30 * MINUTE && !(a.bureauAt! <= now))
    expect(waiting.length).toBeGreaterThan(3)
    const stuck = await stuckInstances(running.store, { definition, nowNs: ns(now), limit: 1000 })
    expect(stuck.stuck).toBe(waiting.length)
    expect(stuck.instances.map((i) => i.instance).sort()).toEqual(waiting.map((a) => a.applicationId).sort())
    for (const instance of stuck.instances) expect(instance).toMatchObject({ lastMilestone: 'identity.verified', expectedSystem: 'BUREAU' })
    const [stuckRule] = await evaluate('bc_stuck_applications', now - START)
    expect(stuckRule).toMatchObject({ result: 'breach', value: waiting.length })

    // At 02:30, at risk: simple applications submitted 8 to 10 minutes before, still undecided.
    const atRiskAt = START + 2 * HOUR + 30 * MINUTE
    const atRisk = apps().filter(
      (a) => a.track === 'simple' && a.submittedAt <= atRiskAt - 8 * MINUTE && a.submittedAt > atRiskAt - 10 * MINUTE && !(a.decidedAt! <= atRiskAt),
    )
    const [risk] = await evaluate('bc_simple_decision_at_risk', atRiskAt - START)
    expect(risk).toMatchObject({ result: atRisk.length > 0 ? 'breach' : 'ok', value: atRisk.length })
  })

  it('slow_sync: customer changes reach the core later and later, then in seconds again', async () => {
    const lag = async (from: number, to: number) =>
      (await syncLag(running.store, { fromNs: at(from), toNs: at(to), nowNs: ns(END), entityType: 'customer', sourceSystem: 'CIS', targetSystem: 'CORE' }))[0]!
    const during = await lag(5 * HOUR, 8 * HOUR)
    const after = await lag(8 * HOUR + 30 * MINUTE, 9 * HOUR)
    expect(during.lagSeconds.p95).toBeGreaterThan(900)
    expect(after.lagSeconds.max).toBeLessThan(66)
    const [breach] = await evaluate('bc_customer_sync_lag', 7 * HOUR + 30 * MINUTE)
    expect(breach).toMatchObject({ result: 'breach', labels: { source_system: 'CIS', target_system: 'CORE', entity_type: 'customer' } })
    const [before] = await evaluate('bc_customer_sync_lag', 4 * HOUR)
    expect(before?.result).toBe('ok')
  })

  it('mapping_errors: customers are refused with client errors while addresses keep syncing', async () => {
    const health = await integrationHealth(running.store, { integration: 'cis-to-core-customers', fromNs: at(9 * HOUR), toNs: at(11 * HOUR) })
    const customers = health.find((h) => h.endpoint === 'PUT /cif/{cif}')!
    const addresses = health.find((h) => h.endpoint === 'PUT /cif/{cif}/addresses')!
    expect(customers.errorsByClass).toEqual({ client: summary.report.counters.syncMappingErrors, timeout: 0, server: 0, other: 0 })
    expect(customers.failedCalls).toBe(customers.calls)
    expect(customers.deadLetters).toBe(customers.calls)
    expect(addresses.failedCalls).toBe(0)
    const [breach] = await evaluate('bc_customer_sync_errors', 10 * HOUR)
    expect(breach).toMatchObject({ result: 'breach', labels: { integration: 'cis-to-core-customers', target_system: 'CORE' } })
  })

  it('clock_skew: the anti-fraud verdict lands before the steps that precede it in the process map, only while the clock is off', async () => {
    expect(BANK_CREDIT_CLOCK_SKEW.system).toBe('ANTIFRAUD')
    const disallowed = (from: number, to: number): Promise<number> =>
      disallowedTransitions(running.store, definition, { fromNs: at(from), toNs: at(to) }, (m) => m.startsWith('fraud_check.'))
    expect(await disallowed(12 * HOUR + 10 * MINUTE, 15 * HOUR)).toBeGreaterThan(20)
    expect(await disallowed(0, 12 * HOUR)).toBe(0)
  })

  it('duplicate_deliveries: records sent twice count once, redelivered bookings are retries answered with the same account', async () => {
    const { telemetry, report } = summary
    expect(telemetry.duplicates).toBeGreaterThan(50)
    expect(await storedTwice(running.store, 'CORE_BATCH')).toBe(telemetry.duplicates)
    const { counters } = report
    expect(counters.bookingsRedelivered).toBeGreaterThan(0)
    const [bookings] = (
      await integrationHealth(running.store, { integration: 'bpm-to-core-bookings', fromNs: at(16 * HOUR), toNs: at(19 * HOUR + 5 * MINUTE) })
    ).filter((h) => h.endpoint === 'POST /loans')
    expect(bookings).toMatchObject({ retries: counters.bookingsRedelivered, failedCalls: 0 })
    // One loan.booked per consumed message: the redelivered ones are served (200) again.
    const [row] = await queryRows<{ n: string }>(
      running.store,
      "SELECT count() AS n FROM business_events FINAL WHERE Process = 'bank_credit' AND Milestone = 'loan.booked'",
      {},
      { tag: 'test.demo.bc-booked' },
    )
    expect(Number(row!.n)).toBe(counters.bookingsConsumed)
  })

  it('consumer_stopped: approved loans wait for the core and are stuck after an hour', async () => {
    // At 24:00, the end of the stop: approved an hour or more before, not booked yet.
    const now = START + 24 * HOUR
    const approvedAt = (a: ApplicationRecord): number | undefined =>
      a.decision === 'approved' ? a.decidedAt : a.reviewOutcome === 'approved' ? a.reviewedAt : undefined
    const waiting = apps().filter((a) => approvedAt(a)! <= now - HOUR && !(a.bookedAt! <= now))
    expect(waiting.length).toBeGreaterThan(20)
    expect(summary.report.counters.bookingBacklogMax).toBeGreaterThanOrEqual(waiting.length)
    const stuck = await stuckInstances(running.store, { definition, nowNs: ns(now), limit: 1000 })
    expect(stuck.instances.map((i) => i.instance).sort()).toEqual(waiting.map((a) => a.applicationId).sort())
    for (const instance of stuck.instances) expect(instance).toMatchObject({ lastMilestone: 'decision.approved', expectedSystem: 'CORE' })
    const requested = waiting.reduce((sum, a) => sum + a.amount, 0)
    expect(stuck.valueAtRisk).toEqual([{ currency: 'CNY', amount: expect.closeTo(requested, 2), instances: waiting.length }])
    const [rule] = await evaluate('bc_stuck_applications', now - START)
    expect(rule).toMatchObject({ result: 'breach', value: waiting.length })
  })

  it('late_batch: no disbursement upload from the core for hours at the end, and the booked loans wait for it', async () => {
    const freshness = await sourceFreshness(running.store, { now: new Date(END), kind: 'service' })
    const batch = freshness.find((f) => f.system === 'CORE_BATCH')!
    // The last upload on time was the 00:20 run's; every run from 01:20 on is held back 3 hours.
    expect(batch.ageSeconds).toBeGreaterThan(3.5 * 3_600)
    expect(summary.report.counters.lateBatchRuns).toBe(3)
    const unpaid = apps().filter((a) => a.bookedAt !== undefined && a.disbursementPostedAt === undefined)
    expect(unpaid.length).toBe(summary.report.booked - summary.report.disbursed)
    expect(unpaid.every((a) => a.disbursedAt === undefined || a.disbursedAt >= START + 25 * HOUR)).toBe(true)
  })
})

describe('the bank-credit scenario, as the command runs it', () => {
  it('sums up the run in the lines the command prints', () => {
    expect(summary.reportLines[0]).toBe('  applications 541 (identity failed 13), bureau reports 528, scored 528')
    expect(summary.reportLines[1]).toBe(
      '  decisions: auto-approved 366, auto-declined 52, referred 110; reviewed 73 (approved 49, declined 24); booked 415, disbursed 363',
    )
  })

  it('refuses a fault it does not simulate before anything runs, naming the flag and the faults it has', () => {
    const start = () =>
      startDemo({
        scenario: 'bank-credit',
        sink: collectorSink('http://127.0.0.1:9'),
        seed: 1,
        speed: 'max',
        historyMs: 0,
        durationMs: 0,
        ordersPerHour: 1,
        faults: [parseFaultSpec('erp_down@1h')],
      })
    expect(start).toThrow(
      '--fault erp_down: not a fault of scenario bank-credit; expected one of bureau_down, slow_sync, mapping_errors, consumer_stopped, duplicate_deliveries, late_batch, clock_skew',
    )
  })
})

// The facts rollup (instance_facts) holds exactly what the facts CTE computes from the events:
// refreshed for touched instances or rebuilt for a window, read back through the same columns,
// with hand-checked values for the multi-key order (child policy all), a paused order and an
// instance that lost its events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  correlateEvents,
  correlationModelOf,
  instanceFactsCte,
  caseStatistics,
  processMap,
  rebuildInstanceFacts,
  refreshInstanceFacts,
  type FactsSource,
} from '../../../processes/index.ts'
import { command, queryRows } from '../../../store/index.ts'
import { openMigratedStore, type MigratedStore } from '../../support/migrated-store.ts'
import { orderFlow } from '../derive/order-flow.ts'
import { HOUR_MS, insertEvents, ms, ns } from './business-events.ts'

let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('facts_rollup')
})
afterAll(async () => {
  await opened.close()
})

const flow = orderFlow('rollup_flow')
const t = ms('2026-11-03T09:00:00Z')
const minute = 60_000

interface FactRow {
  instance: string
  events: string
  firstNs: string
  lastNs: string
  lastMilestone: string
  startNs: string | null
  endNs: string | null
  outcome: string
  errors: string
  retries: string
  pausedNs: string
  attr_0: string
  reach_0: string | null
  reach_1: string | null
  keys: string[]
}

async function factsFrom(source: FactsSource): Promise<FactRow[]> {
  const facts = instanceFactsCte({
    definition: flow,
    source,
    eventsFromNs: ns(t - 24 * HOUR_MS),
    attributes: ['tier'],
    reaches: [['so.created'], ['invoice.posted', 'delivery.shipped']],
    withKeys: true,
  })
  return queryRows<FactRow>(
    opened.store,
    `WITH ${facts.sql}
     SELECT instance, events, firstNs, lastNs, lastMilestone, startNs, endNs, outcome, errors, retries, pausedNs, attr_0, reach_0, reach_1, arraySort(keys) AS keys
     FROM facts ORDER BY instance`,
    facts.params,
    { tag: 'test.facts' },
  )
}

describe('the facts rollup', () => {
  beforeAll(async () => {
    await insertEvents(opened.store, flow, [
      // The multi-key order: two deliveries, completed (policy all) at the later one.
      { milestone: 'invoice.posted', atMs: t + 95 * minute, keys: { dlv: 'D2', inv: 'I5' } },
      { milestone: 'delivery.shipped', atMs: t + 90 * minute, keys: { so: 'S9', dlv: 'D2' } },
      { milestone: 'order.created', atMs: t, keys: { order: 'O1' }, attrs: { tier: 'silver' } },
      { milestone: 'delivery.shipped', atMs: t + 60 * minute, keys: { so: 'S9', dlv: 'D1' } },
      { milestone: 'so.created', atMs: t + 5 * minute, keys: { order: 'O1', so: 'S9' }, attrs: { tier: 'gold' } },
      // Paused one hour, an error and a retry of one operation, still open.
      { milestone: 'order.created', atMs: t, keys: { order: 'O2' } },
      { milestone: 'order.created', atMs: t + HOUR_MS, keys: { order: 'O2' }, status: 'paused', id: 'o2-pause' },
      { milestone: 'order.created', atMs: t + 2 * HOUR_MS, keys: { order: 'O2' }, status: 'resumed', id: 'o2-resume' },
      { milestone: 'so.created', atMs: t + 3 * HOUR_MS, keys: { order: 'O2', so: 'S2' }, status: 'error', operationId: 'op-2', attempt: 1 },
      { milestone: 'so.created', atMs: t + 4 * HOUR_MS, keys: { order: 'O2', so: 'S2' }, operationId: 'op-2', attempt: 2 },
    ])
    await correlateEvents(opened.store, correlationModelOf(flow), [
      { keys: { order: 'O1', so: 'S9' }, links: [] },
      { keys: { so: 'S9', dlv: 'D1' }, links: [] },
      { keys: { so: 'S9', dlv: 'D2' }, links: [] },
      { keys: { dlv: 'D2', inv: 'I5' }, links: [] },
      { keys: { order: 'O2', so: 'S2' }, links: [] },
    ])
  })

  it('refreshes touched instances to what the events say, and marks one without events removed', async () => {
    const written = await refreshInstanceFacts(opened.store, flow, { instances: ['O1', 'O2', 'GONE', 'O1'], earliestNs: ns(t) })
    expect(written).toBe(3)
    const fromEvents = await factsFrom('events')
    const fromRollup = await factsFrom('rollup')
    expect(fromRollup).toEqual(fromEvents)
    // Hand-checked: O1 starts at t, ends at the later shipment (t + 90 min), last event the invoice.
    expect(fromRollup.map((r) => r.instance)).toEqual(['O1', 'O2'])
    const [o1, o2] = fromRollup
    expect(o1).toMatchObject({
      events: '5',
      startNs: ns(t).toString(),
      endNs: ns(t + 90 * minute).toString(),
      outcome: 'completed',
      lastMilestone: 'invoice.posted',
      attr_0: 'gold',
      reach_0: ns(t + 5 * minute).toString(),
      // The earlier of the invoice (t + 95 min) and both deliveries shipped (t + 90 min).
      reach_1: ns(t + 90 * minute).toString(),
      keys: ['dlv=D1', 'dlv=D2', 'inv=I5', 'order=O1', 'so=S9'],
    })
    // O2: open, one hour paused, one error, one retry (attempt 2).
    expect(o2).toMatchObject({ events: '5', endNs: null, outcome: '', pausedNs: String(HOUR_MS * 1_000_000), errors: '1', retries: '1', attr_0: '' })
    const removed = await queryRows<{ Instance: string; Removed: boolean }>(
      opened.store,
      'SELECT Instance, Removed FROM instance_facts FINAL WHERE Process = {process:String} ORDER BY Instance',
      { process: flow.name },
      { tag: 'test.removed' },
    )
    expect(removed).toEqual([
      { Instance: 'GONE', Removed: true },
      { Instance: 'O1', Removed: false },
      { Instance: 'O2', Removed: false },
    ])
  })

  it('takes a late event into the touched instance at the next refresh', async () => {
    await insertEvents(opened.store, flow, [{ milestone: 'delivery.shipped', atMs: t + 6 * HOUR_MS, keys: { so: 'S2', dlv: 'D7' } }])
    await correlateEvents(opened.store, correlationModelOf(flow), [{ keys: { so: 'S2', dlv: 'D7' }, links: [] }])
    expect((await factsFrom('rollup')).find((r) => r.instance === 'O2')?.endNs).toBeNull()
    await refreshInstanceFacts(opened.store, flow, { instances: ['O2'], earliestNs: ns(t + 6 * HOUR_MS) })
    const o2 = (await factsFrom('rollup')).find((r) => r.instance === 'O2')
    expect(o2).toMatchObject({ events: '6', endNs: ns(t + 6 * HOUR_MS).toString(), outcome: 'completed' })
    expect(await factsFrom('rollup')).toEqual(await factsFrom('events'))
  })

  it('rebuilds every instance active in a window in one statement, to the same rows', async () => {
    await command(opened.store, 'TRUNCATE TABLE instance_facts', {}, { tag: 'test.truncate' })
    expect(await factsFrom('rollup')).toEqual([])
    expect(await rebuildInstanceFacts(opened.store, flow, ns(t - HOUR_MS))).toBe(2)
    expect(await factsFrom('rollup')).toEqual(await factsFrom('events'))
    // In parts (2 events per part: 6 parts for the 11 events): the same rows, each instance once.
    await command(opened.store, 'TRUNCATE TABLE instance_facts', {}, { tag: 'test.truncate' })
    expect(await rebuildInstanceFacts(opened.store, flow, ns(t - HOUR_MS), { eventsPerPart: 2 })).toBe(2)
    expect(await factsFrom('rollup')).toEqual(await factsFrom('events'))
  })

  it('gives the case statistics and the process map from its traces as from the events, for all time and for a window that cuts instances', async () => {
    await rebuildInstanceFacts(opened.store, flow, ns(t - HOUR_MS))
    const scopes = [
      { process: flow.name, rootKey: flow.rootKey },
      // From O1's sales order to before O2's retry: O1 loses its start, O2 its last event.
      { process: flow.name, rootKey: flow.rootKey, fromNs: ns(t + 5 * minute), toNs: ns(t + 4 * HOUR_MS) },
    ]
    for (const scope of scopes) {
      const fromEvents = await caseStatistics(opened.store, scope)
      expect(await caseStatistics(opened.store, { ...scope, source: 'rollup' })).toEqual(fromEvents)
      expect(await processMap(opened.store, { ...scope, source: 'rollup' })).toEqual(await processMap(opened.store, scope))
    }
    // Hand-checked: all time, O1 has 5 events (created .. invoice) and O2 6 (with the late
    // delivery); in the window, O1 4 (from its sales order) and O2 3 (paused, resumed, the error).
    expect((await caseStatistics(opened.store, { ...scopes[0]!, source: 'rollup' })).events).toBe(11)
    expect((await caseStatistics(opened.store, { ...scopes[1]!, source: 'rollup' })).events).toBe(7)
  })
})

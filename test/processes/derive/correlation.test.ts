// Instance correlation (ADR 0004): the multi-key case of the issue in every one of its 120
// arrival orders, one event at a time as the live deriver would see them, and the rule for
// components with more than one root.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { correlateEvents, nearestRoots, type CorrelationModel } from '../../../processes/index.ts'
import { queryRows } from '../../../store/index.ts'
import { openMigratedStore, type MigratedStore } from '../../support/migrated-store.ts'

let opened: MigratedStore
beforeAll(async () => {
  opened = await openMigratedStore('correlation')
})
afterAll(async () => {
  await opened.close()
})

const model = (process: string): CorrelationModel => ({ process, rootKey: 'order', instanceKeyTypes: new Set(['order', 'so', 'dlv', 'inv']) })

// order.created{order=O1}, so.created{order=O1,so=S9}, delivery.shipped{so=S9,dlv=D1},
// delivery.shipped{so=S9,dlv=D2}, invoice.posted{dlv=D2,inv=I5}
const EVENTS = [{ order: 'O1' }, { order: 'O1', so: 'S9' }, { so: 'S9', dlv: 'D1' }, { so: 'S9', dlv: 'D2' }, { dlv: 'D2', inv: 'I5' }]

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]]
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]))
}

describe('correlation in every arrival order', () => {
  it('gives one O1 instance holding the sales order, both deliveries and the invoice, for all 120 orders', async () => {
    const orders = permutations(EVENTS)
    expect(orders).toHaveLength(120)
    for (const [i, order] of orders.entries()) {
      for (const keys of order) await correlateEvents(opened.store, model(`perm_${i}`), [{ keys, links: [] }])
    }
    const rows = await queryRows<{ process: string; nodes: string[]; instances: string[] }>(
      opened.store,
      `SELECT Process AS process, arraySort(groupArray(Node)) AS nodes, groupUniqArrayArray(Instances) AS instances
       FROM instance_keys FINAL WHERE startsWith(Process, 'perm_') GROUP BY Process`,
      {},
      { tag: 'test.permutations' },
    )
    expect(rows).toHaveLength(120)
    for (const row of rows) {
      expect(row.nodes, row.process).toEqual(['dlv=D1', 'dlv=D2', 'inv=I5', 'so=S9'])
      expect(row.instances, row.process).toEqual(['O1'])
    }
    // 600 correlation passes, each a few queries: about 15 s alone, more on a shared machine.
  }, 180_000)

  it('re-points a component seen before its root, without waiting for anything else', async () => {
    const m = model('late_root')
    await correlateEvents(opened.store, m, [{ keys: { so: 'S1', dlv: 'D7' }, links: [] }])
    const before = await queryRows<{ Node: string; Instances: string[] }>(
      opened.store,
      "SELECT Node, Instances FROM instance_keys FINAL WHERE Process = 'late_root' ORDER BY Node",
      {},
      { tag: 'test.before' },
    )
    expect(before).toEqual([
      { Node: 'dlv=D7', Instances: [] },
      { Node: 'so=S1', Instances: [] },
    ])
    await correlateEvents(opened.store, m, [{ keys: { order: 'O5', so: 'S1' }, links: [] }])
    const after = await queryRows<{ Node: string; Instances: string[] }>(
      opened.store,
      "SELECT Node, Instances FROM instance_keys FINAL WHERE Process = 'late_root' ORDER BY Node",
      {},
      { tag: 'test.after' },
    )
    expect(after).toEqual([
      { Node: 'dlv=D7', Instances: ['O5'] },
      { Node: 'so=S1', Instances: ['O5'] },
    ])
  })
})

describe('nearestRoots', () => {
  const adjacency = (edges: Array<[string, string]>) => {
    const map = new Map<string, Set<string>>()
    for (const [a, b] of edges) {
      if (!map.has(a)) map.set(a, new Set())
      if (!map.has(b)) map.set(b, new Set())
      map.get(a)!.add(b)
      map.get(b)!.add(a)
    }
    return map
  }

  it('gives a delivery consolidating two orders to both, and each sales order to its own order', () => {
    const roots = nearestRoots(
      model('x'),
      adjacency([
        ['order=O1', 'so=S1'],
        ['order=O2', 'so=S2'],
        ['so=S1', 'dlv=D1'],
        ['so=S2', 'dlv=D1'],
      ]),
    )
    expect(Object.fromEntries(roots)).toEqual({ 'so=S1': ['O1'], 'so=S2': ['O2'], 'dlv=D1': ['O1', 'O2'] })
  })

  it('gives a batch span linked to three orders\u2019 spans to all three, and nodes no root reaches to none', () => {
    const roots = nearestRoots(
      model('x'),
      adjacency([
        ['span=t/p1', 'order=O1'],
        ['span=t/p2', 'order=O2'],
        ['span=t/p3', 'order=O3'],
        ['span=t/c', 'span=t/p1'],
        ['span=t/c', 'span=t/p2'],
        ['span=t/c', 'span=t/p3'],
        ['so=S5', 'dlv=D5'],
      ]),
    )
    expect(roots.get('span=t/c')).toEqual(['O1', 'O2', 'O3'])
    expect(roots.get('span=t/p2')).toEqual(['O2'])
    expect(roots.get('so=S5')).toEqual([])
  })
})

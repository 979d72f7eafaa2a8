// Which alerts the engine hands to the notifiers, pure: flapping and SourceLate inhibition hold
// a new episode back, an episode the notifiers already have goes on (its resolve too), and
// which systems an alert depends on comes from its rule.
import { describe, expect, it } from 'vitest'
import type { StoredAlert } from '../../rules/alert-store.ts'
import { checkRuleTexts, inactiveRecord, type AlertRecord, type Rule } from '../../rules/index.ts'
import { selectForNotifier } from '../../rules/notification-hold.ts'
import { dependsOnSystems } from '../../rules/source-late.ts'
import { definitionFrom } from '../processes/kpis/business-events.ts'

const definition = definitionFrom(`
name: orders
version: 1
root_key: order
keys:
  - type: order
milestones:
  - name: order.approved
    system: CRM
  - name: order.shipped
    system: WMS
start: [order.approved]
terminal:
  - { milestone: order.shipped, outcome: completed }
`)
const definitions = new Map([['orders', definition]])

const load = checkRuleTexts(
  [
    {
      file: 'alert-rules/x.yaml',
      text: `group: g
rules:
  - { id: stuck, kind: stuck, process: orders }
  - { id: errors, kind: threshold, kpi: attempt_error_rate, where: { target_system: ERP }, group_by: [integration], op: '>', value: 0.2 }
  - { id: wms_silent, kind: heartbeat, system: WMS, silent_for: 1h }
  - { id: raw, kind: sql, sql: 'SELECT 1 AS value', op: '>', value: 0 }
`,
    },
  ],
  [definition],
)
if (!load.ok) throw new Error(JSON.stringify(load.problems))
const rules = new Map<string, Rule>(load.rules.map((r) => [r.id, r]))
const rule = (id: string): Rule => rules.get(id)!

function alert(ruleId: string, labels: Record<string, string>, record: Partial<AlertRecord>, details: Partial<StoredAlert['details']> = {}): StoredAlert {
  const fp = `${ruleId}:${JSON.stringify(labels)}`
  return {
    record: { ...inactiveRecord(fp, ruleId, labels), phase: 'firing', episodeId: `${fp}@1`, ...record },
    details: { summary: '', description: '', reason: '', ...details },
  }
}
const sourceLate = (system: string, phase: AlertRecord['phase'] = 'firing') => alert('SourceLate', { alertname: 'SourceLate', system }, { phase })

describe('the systems an alert depends on', () => {
  it('are its process systems, its source/target labels or where, its heartbeat system; sql rules name none', () => {
    expect([...dependsOnSystems(rule('stuck'), {}, definitions)]).toEqual(['CRM', 'WMS'])
    expect([...dependsOnSystems(rule('errors'), { integration: 'i' }, definitions)]).toEqual(['ERP'])
    expect([...dependsOnSystems(rule('errors'), { source_system: 'CRM', target_system: 'ERP' }, definitions)].sort()).toEqual(['CRM', 'ERP'])
    expect([...dependsOnSystems(rule('wms_silent'), { system: 'WMS' }, definitions)]).toEqual(['WMS'])
    expect([...dependsOnSystems(rule('raw'), {}, definitions)]).toEqual([])
  })
})

describe('notification holds', () => {
  it('holds a new episode of an alert reading a late system, and hands everything else over', () => {
    const selection = selectForNotifier(
      [sourceLate('WMS'), alert('stuck', {}, {}), alert('errors', { integration: 'i' }, {}), alert('raw', {}, {})],
      rules,
      definitions,
    )
    expect(selection.handed.map((s) => s.record.ruleId)).toEqual(['SourceLate', 'errors', 'raw'])
    expect(selection.changed.find((s) => s.record.ruleId === 'stuck')?.details.held).toBe('inhibited by SourceLate{system=WMS}')
  })

  it('goes on handing over an episode the notifiers already have, so its resolve goes out', () => {
    const known = alert('stuck', {}, { phase: 'resolved' }, { notifiedEpisode: 'stuck:{}@1', held: '' })
    expect(selectForNotifier([sourceLate('WMS'), known], rules, definitions).handed.map((s) => s.record.phase)).toEqual(['firing', 'resolved'])
  })

  it('hands over neither the firing nor the resolve of an episode held throughout', () => {
    const flapping = { flap: { history: 'obob', flapping: true } }
    expect(selectForNotifier([alert('raw', {}, {}, flapping)], rules, definitions).handed).toEqual([])
    expect(selectForNotifier([alert('raw', {}, { phase: 'resolved' }, { ...flapping, held: 'flapping' })], rules, definitions).handed).toEqual([])
    // Still after flapping stopped, or SourceLate resolved, in the meantime.
    expect(selectForNotifier([alert('stuck', {}, { phase: 'resolved' }, { held: 'inhibited by SourceLate{system=WMS}' })], rules, definitions).handed).toEqual(
      [],
    )
  })

  it('lets a resolved SourceLate inhibit nothing', () => {
    expect(selectForNotifier([sourceLate('WMS', 'resolved'), alert('stuck', {}, {})], rules, definitions).handed.map((s) => s.record.ruleId)).toEqual([
      'SourceLate',
      'stuck',
    ])
  })
})

// What an episode cost in business terms, from the KPI functions the API and the rules use
// (one implementation): K4 stuck instances at the moment the alert fired, K5 SLA breaches
// whose deadline fell in the impact window. Rules that watch no process (integrations,
// heartbeats, SQL) show what the alert itself reported.
import type { ValueAtRisk } from '../../notify/index.ts'
import { slaAttainment, stuckInstances, type ProcessDefinition } from '../../processes/index.ts'
import type { StoreConnection } from '../../store/index.ts'
import type { BusinessImpact, SlaBreaches } from './model.ts'

export interface ImpactScope {
  readonly definition: ProcessDefinition | undefined
  readonly ruleKind: string | null
  readonly labels: Readonly<Record<string, string>>
  readonly fromMs: number
  readonly toMs: number
  /** When the alert fired; null when it never did (no stuck count then). */
  readonly firedMs: number | null
  readonly reported: BusinessImpact['reported']
}

const SAMPLE_KEYS = 5
/** Instances read per KPI to count the distinct ones affected. */
const MAX_INSTANCES = 1000
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n

function reportedImpact(scope: ImpactScope, process: string | null, window: BusinessImpact['window']): BusinessImpact {
  return {
    process,
    window,
    instancesAffected: scope.reported?.instances ?? null,
    valueAtRisk: scope.reported?.valueAtRisk ?? [],
    sampleKeys: scope.reported?.sampleKeys ?? [],
    stuckAtFiring: null,
    slaBreaches: [],
    reported: scope.reported,
  }
}

export async function businessImpact(store: StoreConnection, scope: ImpactScope): Promise<BusinessImpact> {
  const window = { from: new Date(scope.fromMs).toISOString(), to: new Date(scope.toMs).toISOString() }
  const definition = scope.definition
  if (definition === undefined) return reportedImpact(scope, null, window)
  const keyOf = (instance: string): string => `${definition.rootKey}=${instance}`

  let stuckAtFiring: BusinessImpact['stuckAtFiring'] = null
  let stuckIds: string[] = []
  let stuckValue: readonly ValueAtRisk[] = []
  if (scope.firedMs !== null) {
    const stuck = await stuckInstances(store, { definition, nowNs: ns(scope.firedMs), limit: MAX_INSTANCES })
    stuckIds = stuck.instances.filter((i) => i.state === 'stuck').map((i) => i.instance)
    stuckValue = stuck.valueAtRisk.map((v) => ({ currency: v.currency, amount: v.amount }))
    stuckAtFiring = { stuck: stuck.stuck, valueAtRisk: stuckValue, sampleKeys: stuckIds.slice(0, SAMPLE_KEYS).map(keyOf) }
  }
  const slas = await slaAttainment(store, {
    definition,
    window: { fromNs: ns(scope.fromMs), toNs: ns(scope.toMs) },
    nowNs: ns(scope.toMs),
    limit: MAX_INSTANCES,
  })
  const breachedIds = new Set<string>()
  const slaBreaches: SlaBreaches[] = slas.map((s) => {
    const inWindow = s.instances.filter((i) => i.state === 'breached' && Date.parse(i.deadline) >= scope.fromMs && Date.parse(i.deadline) < scope.toMs)
    for (const i of inWindow) breachedIds.add(i.instance)
    return {
      sla: s.sla,
      due: s.due,
      met: s.met,
      breached: s.breached,
      breachedOpen: s.breachedOpen,
      sampleKeys: inWindow.slice(0, SAMPLE_KEYS).map((i) => keyOf(i.instance)),
    }
  })
  // An absence alert is about the one instance it names, not the whole process.
  if (scope.ruleKind === 'absence' && scope.labels.instance !== undefined) {
    return { ...reportedImpact(scope, definition.name, window), instancesAffected: 1, sampleKeys: [keyOf(scope.labels.instance)], stuckAtFiring, slaBreaches }
  }
  const affected = [...new Set([...stuckIds, ...breachedIds])]
  // The lists stop at MAX_INSTANCES: past that, the distinct count is at least the largest count.
  const atLeast = Math.max(affected.length, stuckAtFiring?.stuck ?? 0, ...slaBreaches.map((s) => s.breached))
  return {
    process: definition.name,
    window,
    instancesAffected: atLeast,
    valueAtRisk: stuckValue,
    sampleKeys: affected.slice(0, SAMPLE_KEYS).map(keyOf),
    stuckAtFiring,
    slaBreaches,
    reported: scope.reported,
  }
}

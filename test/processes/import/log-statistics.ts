// Test-only: the figures the import tests compare with independent-expectations.py, computed
// the same way: events of a case in timestamp order (stable, so file order breaks ties),
// first and last activity, consecutive pairs, last - first as the case duration.
import type { ImportedEvent } from '../../../processes/import/index.ts'

export interface LogStatistics {
  readonly cases: number
  readonly events: number
  readonly activities: number
  readonly startActivities: ReadonlyMap<string, number>
  readonly endActivities: ReadonlyMap<string, number>
  readonly directlyFollows: ReadonlyMap<string, number>
  /** Case durations in nanoseconds, ascending. */
  readonly durationsNs: readonly bigint[]
  readonly lifecycles: ReadonlyMap<string, number>
}

const bump = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1)
}

export async function logStatistics(events: AsyncIterable<ImportedEvent>, keyType = 'case_id'): Promise<LogStatistics> {
  const cases = new Map<string, Array<{ activity: string; ns: bigint }>>()
  const activities = new Set<string>()
  const lifecycles = new Map<string, number>()
  let count = 0
  for await (const event of events) {
    count += 1
    activities.add(event.activity)
    bump(lifecycles, event.lifecycle)
    const caseId = event.keys[keyType]
    if (caseId === undefined) throw new Error(`event ${event.eventId} has no ${keyType} key`)
    const list = cases.get(caseId) ?? []
    list.push({ activity: event.activity, ns: event.timestampNs })
    cases.set(caseId, list)
  }
  const startActivities = new Map<string, number>()
  const endActivities = new Map<string, number>()
  const directlyFollows = new Map<string, number>()
  const durationsNs: bigint[] = []
  for (const list of cases.values()) {
    list.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0))
    bump(startActivities, list[0]!.activity)
    bump(endActivities, list.at(-1)!.activity)
    for (let i = 1; i < list.length; i += 1) bump(directlyFollows, `${list[i - 1]!.activity} -> ${list[i]!.activity}`)
    durationsNs.push(list.at(-1)!.ns - list[0]!.ns)
  }
  durationsNs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return { cases: cases.size, events: count, activities: activities.size, startActivities, endActivities, directlyFollows, durationsNs, lifecycles }
}

/** Median in seconds: the middle value, or the mean of the middle two. */
export function medianSeconds(sortedNs: readonly bigint[]): number {
  const middle = Math.floor(sortedNs.length / 2)
  const ns = sortedNs.length % 2 === 1 ? Number(sortedNs[middle]!) : (Number(sortedNs[middle - 1]!) + Number(sortedNs[middle]!)) / 2
  return ns / 1e9
}

export const seconds = (ns: bigint | undefined): number => Number(ns ?? NaN) / 1e9

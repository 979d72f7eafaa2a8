// Source watermarks as the rules read them: the newest observed time of a system's (or a
// process's) business events. A system whose watermark is older than its lateness allowance
// is late: what it has not sent yet may still come, so rules reading it say UNKNOWN, and the
// engine names it in SourceLate{system}.
import type { ProcessDefinition } from '../processes/index.ts'
import { queryRows, type StoreClient } from '../store/index.ts'

/** The newest observed_ts of a system's (or a process's) business events, ms; undefined when none. */
export async function watermarkMs(store: StoreClient, column: 'System' | 'Process', value: string): Promise<number | undefined> {
  const rows = await queryRows<{ ms: string | null }>(
    store,
    `SELECT toString(toUnixTimestamp64Milli(maxOrNull(ObservedTs))) AS ms FROM business_events WHERE ${column} = {value:String}`,
    { value },
    { tag: 'rules.watermark' },
  )
  const ms = rows[0]?.ms
  return ms === null || ms === undefined || ms === '' ? undefined : Number(ms)
}

/** The systems of a process definition (those its milestones name), sorted. */
export const systemsOf = (definition: ProcessDefinition): string[] =>
  [...new Set(definition.milestones.flatMap((m) => (m.system === undefined ? [] : [m.system])))].sort()

/**
 * The process's systems whose newest event is older than their allowance at `atMs`. A system
 * that never sent anything is not late (nothing is known to be missing); one query per call.
 */
export async function lateSystems(store: StoreClient, definition: ProcessDefinition, atMs: number): Promise<string[]> {
  const rows = await queryRows<{ system: string; ms: string }>(
    store,
    `SELECT System AS system, toString(toUnixTimestamp64Milli(max(ObservedTs))) AS ms
     FROM business_events WHERE Process = {process:String} GROUP BY System ORDER BY System`,
    { process: String(definition.name) },
    { tag: 'rules.late-systems' },
  )
  const allowance = (system: string): number => definition.latenessAllowance.bySystem[system] ?? definition.latenessAllowance.defaultMs
  return rows.filter((r) => r.system !== '' && Number(r.ms) < atMs - allowance(r.system)).map((r) => r.system)
}

/**
 * When each system was last heard of, ms (0: never): its newest business event (observed time),
 * or the newest span or log record of its service or business system (stored time). One
 * statement for every system the heartbeats of a cycle watch.
 */
export async function lastHeardMs(store: StoreClient, systems: readonly string[]): Promise<Map<string, number>> {
  if (systems.length === 0) return new Map()
  const rows = await queryRows<{ system: string; ms: string }>(
    store,
    `SELECT system, toString(greatest(be.ms, tr.ms, lg.ms)) AS ms
     FROM (SELECT arrayJoin({systems:Array(String)}) AS system) AS watched
     LEFT JOIN (SELECT System AS system, toUnixTimestamp64Milli(max(ObservedTs)) AS ms FROM business_events
                WHERE System IN {systems:Array(String)} GROUP BY System) AS be USING (system)
     LEFT JOIN (SELECT arrayJoin(arrayDistinct([ServiceName, BusinessSystem])) AS system, toUnixTimestamp64Milli(max(IngestedAt)) AS ms FROM otel_traces
                WHERE ServiceName IN {systems:Array(String)} OR BusinessSystem IN {systems:Array(String)} GROUP BY system) AS tr USING (system)
     LEFT JOIN (SELECT ServiceName AS system, toUnixTimestamp64Milli(max(IngestedAt)) AS ms FROM otel_logs
                WHERE ServiceName IN {systems:Array(String)} GROUP BY ServiceName) AS lg USING (system)`,
    { systems },
    { tag: 'rules.heartbeat' },
  )
  return new Map(rows.map((r) => [r.system, Number(r.ms)]))
}

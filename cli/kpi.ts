// `throughline kpi <name> --process NAME`: prints what the matching API endpoint answers (the
// same builder runs), as JSON for scripts and cron jobs, or as a short text summary.
import {
  caseSummaryAnswer,
  conformanceAnswer,
  cycleTimeAnswer,
  integrationHealthAnswer,
  kpiContext,
  pendingSyncsAnswer,
  processMapAnswer,
  reworkAnswer,
  rootKeyResolver,
  slaAnswer,
  sourceFreshnessAnswer,
  stagesAnswer,
  stuckAnswer,
  syncLagAnswer,
  throughputAnswer,
  type KpiQuery,
  type LogQuery,
} from '../api/index.ts'
import { ConfigError } from '../core/errors.ts'
import type { Config } from '../core/config.ts'
import type { ProcessDefinition, ThroughputBucketSize } from '../processes/index.ts'
import { createStoreClient, type StoreConnection } from '../store/index.ts'
import { loadDefinitionsAtStart } from './definitions-at-start.ts'

export const KPI_NAMES = [
  'summary',
  'map',
  'cycle-time',
  'stuck',
  'sla',
  'stages',
  'throughput',
  'rework',
  'conformance',
  'sync-lag',
  'pending-syncs',
  'integrations',
  'freshness',
] as const
export type KpiName = (typeof KPI_NAMES)[number]

/** Which KPIs are about one process (and need --process). */
export const PROCESS_KPIS: ReadonlySet<KpiName> = new Set(['summary', 'map', 'cycle-time', 'stuck', 'sla', 'stages', 'throughput', 'rework', 'conformance'])

export interface KpiFlags {
  readonly process?: string
  readonly rootKey?: string
  readonly from?: string
  readonly to?: string
  readonly asOf?: string
  readonly clock?: 'wall' | 'business'
  readonly bucket?: ThroughputBucketSize
  readonly sla?: string
  readonly limit?: string
  readonly sourceSystem?: string
  readonly targetSystem?: string
  readonly entityType?: string
  readonly processVersion?: string
  readonly tenant?: string
  readonly attr?: readonly string[]
  readonly json?: boolean
}

/** The flags that were given, as the API's optional query fields (absent, never undefined). */
const defined = <T extends Record<string, unknown>>(entries: T): { [K in keyof T]?: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }

function logQuery(flags: KpiFlags): LogQuery {
  return defined({ root_key: flags.rootKey, from: flags.from, to: flags.to })
}

function kpiQuery(flags: KpiFlags): KpiQuery {
  for (const pair of flags.attr ?? []) if (!/^[^=]+=/.test(pair)) throw new ConfigError(`--attr: expected name=value, got ${JSON.stringify(pair)}`)
  return defined({
    from: flags.from,
    to: flags.to,
    as_of: flags.asOf,
    version: flags.processVersion,
    tenant: flags.tenant,
    attr: flags.attr ? [...flags.attr] : undefined,
  })
}

function limitOf(flags: KpiFlags): number | undefined {
  if (flags.limit === undefined) return undefined
  const limit = Number(flags.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ConfigError(`--limit: expected a whole number from 1 to 1000, got ${flags.limit}`)
  return limit
}

type Printed = { readonly answer: unknown; readonly text: string }

async function answerOf(store: StoreConnection, definitions: readonly ProcessDefinition[], kpi: KpiName, flags: KpiFlags): Promise<Printed> {
  const process = flags.process ?? ''
  switch (kpi) {
    case 'summary': {
      const a = await caseSummaryAnswer(store, process, logQuery(flags), rootKeyResolver(definitions)(process))
      const d = a.durationSeconds
      return {
        answer: a,
        text: `${a.process}: ${a.cases} instances, ${a.events} events, ${a.activities} activities${a.lowSample ? ' (low sample)' : ''}\nduration s: min ${d.min ?? '-'}  p50 ${d.p50 ?? '-'}  p90 ${d.p90 ?? '-'}  max ${d.max ?? '-'}`,
      }
    }
    case 'map': {
      const a = await processMapAnswer(store, process, logQuery(flags), rootKeyResolver(definitions)(process))
      return { answer: a, text: a.edges.map((e) => `${e.count}\t${e.from} -> ${e.to}\tp50 ${e.gapSeconds.p50} s`).join('\n') }
    }
    case 'cycle-time': {
      const a = await cycleTimeAnswer(store, kpiContext(byName(definitions), process, kpiQuery(flags)), flags.clock)
      const c = a.completion
      return {
        answer: a,
        text: `${a.process}: ${c.count} completed${c.lowSample ? ' (low sample)' : ''}; cycle time s: p50 ${c.p50 ?? '-'}  p90 ${c.p90 ?? '-'}  p95 ${c.p95 ?? '-'}`,
      }
    }
    case 'stuck': {
      const a = await stuckAnswer(store, kpiContext(byName(definitions), process, kpiQuery(flags)), limitOf(flags))
      const risk = a.valueAtRisk.map((v) => `${v.amount} ${v.currency}`).join(', ') || 'none'
      const lines = a.instances.map((i) => `${i.state}\t${i.instance}\t${i.lastMilestone}\t${Math.round(i.ageSeconds)} s\t${i.keys.join(' ')}`)
      return { answer: a, text: [`${a.process}: ${a.stuck} stuck, ${a.unknownLateData} waiting on late data; value at risk: ${risk}`, ...lines].join('\n') }
    }
    case 'sla': {
      const a = await slaAnswer(store, kpiContext(byName(definitions), process, kpiQuery(flags)), flags.sla, limitOf(flags))
      return {
        answer: a,
        text: a.slas
          .map((s) => `${s.sla}: ${s.met}/${s.met + s.breached} met (${s.attainment ?? '-'}), ${s.atRisk} at risk, ${s.breachedOpen} open breached`)
          .join('\n'),
      }
    }
    case 'stages': {
      const a = await stagesAnswer(store, kpiContext(byName(definitions), process, kpiQuery(flags)), flags.clock)
      const seconds = (v: number | null) => (v === null ? '-' : Math.round(v))
      const lines = a.stages.map(
        (s) =>
          `${s.count}\t${s.from} -> ${s.to}\tp50 ${seconds(s.p50Seconds)} s  p95 ${seconds(s.p95Seconds)} s${s.lowSample ? ' (low sample)' : ''}\t${s.skipped} skipped\t${s.inFlight} in flight`,
      )
      return { answer: a, text: [`${a.process}: ${a.stages.length} stages (${a.stagesFrom}), ${a.clock} clock`, ...lines].join('\n') }
    }
    case 'throughput': {
      const a = await throughputAnswer(store, kpiContext(byName(definitions), process, kpiQuery(flags)), flags.bucket)
      const t = a.totals
      const lines = a.buckets.map(
        (b) => `${b.start}\t${b.arrivals} arrived\t${b.completions} completed\t${b.cancelled} cancelled\t${b.failed} failed\tWIP ${b.wip ?? '-'}`,
      )
      return {
        answer: a,
        text: [
          `${a.process}: ${t.arrivals} arrived, ${t.completions} completed, ${t.cancelled} cancelled, ${t.failed} failed (per ${a.bucket}, ${a.timeZone})`,
          ...lines,
        ].join('\n'),
      }
    }
    case 'rework': {
      const a = await reworkAnswer(store, kpiContext(byName(definitions), process, kpiQuery(flags)))
      const lines = a.activities.map((r) => `${r.instances}\t${r.activity}\t${r.kind}\t${r.occurrences} occurrences`)
      return {
        answer: a,
        text: [
          `${a.process}: ${a.reworked}/${a.completed} completed instances reworked (${a.rate ?? '-'})${a.lowSample ? ' (low sample)' : ''}`,
          ...lines,
        ].join('\n'),
      }
    }
    case 'conformance': {
      const a = await conformanceAnswer(store, kpiContext(byName(definitions), process, kpiQuery(flags)), limitOf(flags))
      const lines = a.instances.map((i) => `${i.instance}\t${i.completedAt}\t${i.deviations.map((d) => d.kind).join(' ')}\t${i.keys.join(' ')}`)
      return {
        answer: a,
        text: [
          `${a.process}: ${a.conforming}/${a.completed} completed instances conforming (${a.rate ?? '-'})${a.lowSample ? ' (low sample)' : ''}; ${a.total} not`,
          ...lines,
        ].join('\n'),
      }
    }
    case 'sync-lag': {
      const a = await syncLagAnswer(
        store,
        defined({ from: flags.from, to: flags.to, source_system: flags.sourceSystem, target_system: flags.targetSystem, entity_type: flags.entityType }),
      )
      return { answer: a, text: JSON.stringify(a, null, 2) }
    }
    case 'pending-syncs': {
      const limit = limitOf(flags)
      const a = await pendingSyncsAnswer(
        store,
        defined({ from: flags.from, to: flags.to, source_system: flags.sourceSystem, target_system: flags.targetSystem, entity_type: flags.entityType, limit }),
      )
      return { answer: a, text: JSON.stringify(a, null, 2) }
    }
    case 'integrations': {
      const a = await integrationHealthAnswer(
        store,
        defined({ from: flags.from, to: flags.to, source_system: flags.sourceSystem, target_system: flags.targetSystem }),
      )
      return { answer: a, text: JSON.stringify(a, null, 2) }
    }
    case 'freshness': {
      const a = await sourceFreshnessAnswer(store, {})
      return { answer: a, text: JSON.stringify(a, null, 2) }
    }
  }
}

const byName = (definitions: readonly ProcessDefinition[]) => new Map(definitions.map((d) => [String(d.name), d]))

export async function kpiCommand(config: Readonly<Config>, kpi: KpiName, flags: KpiFlags): Promise<void> {
  if (PROCESS_KPIS.has(kpi) && flags.process === undefined) throw new ConfigError(`--process: required for kpi ${kpi}`)
  const definitions = await loadDefinitionsAtStart(config)
  const store = createStoreClient(config)
  try {
    const { answer, text } = await answerOf(store, definitions, kpi, flags)
    console.log(flags.json === true ? JSON.stringify(answer, null, 2) : text)
  } finally {
    await store.close()
  }
}

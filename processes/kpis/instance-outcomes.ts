// How the instances that ended in a window ended, and how cleanly (K3 counts, K6's instance
// figures): completed, cancelled, failed; instance failure rate = failed / ended; first-pass
// yield = completed with no error, no retry and no rework / completed; recovery rate =
// completed despite an error / ended with an error. Plus arrivals in the window and the work
// in progress at its end. Ratios over nothing are null, never 0.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { ProcessDefinition } from '../definitions/index.ts'
import { DEFAULT_LOOKBACK_NS, type KpiWindow } from './cycle-time.ts'
import { instanceFactsCte, type FactsSource } from './instance-facts.ts'
import type { InstanceFilter } from './instance-filter.ts'

export interface InstanceOutcomes {
  readonly arrived: number
  readonly completed: number
  readonly cancelled: number
  readonly failed: number
  /** Started before the window's end and not ended by then (cancelled ones excluded). */
  readonly wipAtEnd: number
  readonly instanceFailureRate: number | null
  readonly firstPassYield: number | null
  readonly recoveryRate: number | null
  /** Denominators, for low_sample flags. */
  readonly ended: number
  readonly endedWithError: number
}

interface Row {
  arrived: string
  completed: string
  cancelledCount: string
  failed: string
  wip: string
  clean: string
  withError: string
  recovered: string
}

export async function instanceOutcomes(
  store: StoreConnection,
  definition: ProcessDefinition,
  window: KpiWindow,
  lookbackNs = DEFAULT_LOOKBACK_NS,
  source?: FactsSource,
  filter?: InstanceFilter,
): Promise<InstanceOutcomes> {
  const facts = instanceFactsCte({ definition, source, filter, eventsFromNs: window.fromNs - lookbackNs, eventsToNs: window.toNs })
  const [row] = await queryRows<Row>(
    store,
    // One pass over the facts (a CTE is inlined at every reference): each figure is a countIf.
    // cancelledCount: `cancelled` is a facts column the WIP condition reads.
    `WITH ${facts.sql}
     SELECT countIf(startNs >= {windowFrom:Int64} AND startNs < {windowTo:Int64}) AS arrived,
            countIf(firstNs < {windowTo:Int64} AND (endNs IS NULL OR endNs >= {windowTo:Int64}) AND NOT cancelled) AS wip,
            countIf(ended AND outcome = 'completed') AS completed, countIf(ended AND outcome = 'cancelled') AS cancelledCount,
            countIf(ended AND outcome = 'failed') AS failed,
            countIf(ended AND outcome = 'completed' AND errors = 0 AND retries = 0 AND reworkEvents = 0) AS clean,
            countIf(ended AND errors > 0 AND outcome IN ('completed', 'failed')) AS withError,
            countIf(ended AND errors > 0 AND outcome = 'completed') AS recovered
     FROM (SELECT *, ifNull(endNs >= {windowFrom:Int64} AND endNs < {windowTo:Int64}, false) AS ended FROM facts)`,
    { ...facts.params, windowFrom: window.fromNs.toString(), windowTo: window.toNs.toString() },
    { tag: 'kpi.instance-outcomes' },
  )
  const n = (text: string | undefined): number => Number(text ?? 0)
  const completed = n(row?.completed)
  const failed = n(row?.failed)
  const withError = n(row?.withError)
  const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole)
  return {
    arrived: n(row?.arrived),
    completed,
    cancelled: n(row?.cancelledCount),
    failed,
    wipAtEnd: n(row?.wip),
    instanceFailureRate: ratio(failed, completed + failed),
    firstPassYield: ratio(n(row?.clean), completed),
    recoveryRate: ratio(n(row?.recovered), withError),
    ended: completed + failed,
    endedWithError: withError,
  }
}

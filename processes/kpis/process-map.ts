// K10, the process map: for consecutive events of an instance, per edge (a, b): count,
// distinct instances, and the gap's p50, p95 and mean (exact quantiles), as kpis.md defines.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import { instanceEventsCte, type LogScope } from './instance-events.ts'
import type { KpiQuery } from './kpi-query.ts'

export interface ProcessMapEdge {
  readonly from: string
  readonly to: string
  readonly count: number
  readonly instances: number
  readonly gapSeconds: { readonly p50: number; readonly p95: number; readonly mean: number }
}

interface EdgeRow {
  source: string
  target: string
  count: string
  instances: string
  p50: number
  p95: number
  mean: number
}

/** The SQL of processMap(): one row per edge (source, target, count, instances, p50, p95, mean in seconds). */
export function processMapQuery(scope: LogScope): KpiQuery {
  const cte = instanceEventsCte(scope)
  return {
    sql: `WITH ${cte.sql}
     SELECT source, target, count() AS count, uniqExact(instance) AS instances,
            quantileExactInclusive(0.5)(gap) AS p50, quantileExactInclusive(0.95)(gap) AS p95, avg(gap) AS mean
     FROM (
       SELECT instance, pair.1.4 AS source, pair.2.4 AS target,
              (toUnixTimestamp64Nano(pair.2.1) - toUnixTimestamp64Nano(pair.1.1)) / 1e9 AS gap
       FROM instances
       ARRAY JOIN arrayZip(arrayPopBack(ordered), arrayPopFront(ordered)) AS pair
     )
     GROUP BY source, target
     ORDER BY count DESC, source, target`,
    params: cte.params,
  }
}

export async function processMap(store: StoreConnection, scope: LogScope): Promise<ProcessMapEdge[]> {
  const query = processMapQuery(scope)
  const rows = await queryRows<EdgeRow>(store, query.sql, query.params, { tag: 'kpi.process-map' })
  return rows.map((r) => ({
    from: r.source,
    to: r.target,
    count: Number(r.count),
    instances: Number(r.instances),
    gapSeconds: { p50: r.p50, p95: r.p95, mean: r.mean },
  }))
}

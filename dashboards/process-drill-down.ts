// Process drill-down: per process, stage durations (K2), the process map as a node graph
// (K10), conformance deviations (K9), and the instances found by a business key, each linked
// to its timeline in the API (the events with the spans and log records behind each step).
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import { conformanceCountsQuery, instanceSearchQuery, processMapQuery, stageDurationsQuery, type ProcessDefinition } from '../processes/index.ts'
import { grafanaSql } from './grafana-sql.ts'
import { nodeGraph, reshaped, table } from './panels.ts'
import {
  apiUrlVariable,
  businessKeyBinding,
  businessKeyVariable,
  INSTANCE_FILTER,
  instanceFilterBindings,
  processBinding,
  processVariable,
  tenantVariable,
  versionVariable,
} from './variables.ts'

export function stageDurationsSql(definition: ProcessDefinition): string | undefined {
  const probe = stageDurationsQuery({ definition, window: { fromNs: 0n, toNs: 1n }, nowNs: 1n })
  if (probe === undefined) return undefined
  return reshaped(
    'a AS from_milestone, b AS to_milestone, count, p50, p95, mean, skippedCount AS skipped, invalidOrderCount AS invalid_order, inFlightCount AS in_flight, if(inFlightCount = 0, NULL, toInt64(oldestNs) / 1e9) AS oldest_in_flight_seconds',
    grafanaSql(
      (w) => {
        const query = stageDurationsQuery({ definition, window: w, nowNs: w.toNs, filter: INSTANCE_FILTER })
        if (query === undefined) throw new Error(`${definition.name}: no stages`)
        return query
      },
      { process: processBinding(definition), ...instanceFilterBindings() },
    ),
  )
}

export function processMapSql(definition: ProcessDefinition): string {
  return grafanaSql((w) => processMapQuery({ process: definition.name, rootKey: definition.rootKey, fromNs: w.fromNs, toNs: w.toNs }), {
    process: processBinding(definition),
  })
}

export function conformanceSql(definition: ProcessDefinition): string {
  return reshaped(
    "if(g = 7, 'all completed', kind) AS deviation, dfrom AS from_activity, dto AS to_activity, instances, deviations, if(g = 7, conforming, NULL) AS conforming",
    grafanaSql((w) => conformanceCountsQuery({ definition, window: w, filter: INSTANCE_FILTER }), {
      process: processBinding(definition),
      ...instanceFilterBindings(),
    }),
    // The per-kind subtotals repeat the detail rows' sums; the table shows the total and the detail.
    "WHERE g = 7 OR (g = 0 AND deviation != '')\nORDER BY g DESC, deviations DESC, deviation, from_activity, to_activity",
  )
}

export function instanceSearchSql(definition: ProcessDefinition): string {
  return grafanaSql((w) => instanceSearchQuery(definition, 'order_id=probe', w), { process: processBinding(definition), node: businessKeyBinding() })
}

function processRow(builder: DashboardBuilder, definition: ProcessDefinition): void {
  const name = definition.name
  builder.withRow(new RowBuilder(name))
  const stages = stageDurationsSql(definition)
  if (stages !== undefined) {
    builder.withPanel(
      table({
        title: `${name}: stage durations`,
        description:
          'K2: first A to the first B at or after it, for stages whose B falls in the range (seconds, exact percentiles, wall clock); skipped, invalid order and in flight now',
        sql: stages,
        units: { p50: 's', p95: 's', mean: 's', oldest_in_flight_seconds: 's' },
      }),
    )
  }
  const map = processMapSql(definition)
  builder.withPanel(
    nodeGraph({
      title: `${name}: process map`,
      description: 'K10: consecutive milestones of the instances with events in the range; edge: how often, and the median gap in seconds',
      nodesSql: reshaped('node AS id, node AS title', reshaped('DISTINCT arrayJoin([source, target]) AS node', map), 'ORDER BY id'),
      edgesSql: reshaped("concat(source, ' -> ', target) AS id, source, target, count AS mainstat, round(p50) AS secondarystat", map, 'ORDER BY id'),
    }),
  )
  builder.withPanel(
    table({
      title: `${name}: conformance deviations`,
      description: 'K9: deviations of the instances completed in the range from the defined flow, by kind and edge or activity',
      sql: conformanceSql(definition),
      width: 12,
    }),
  )
  const timeline = `\${api_url}/api/v1/processes/${encodeURIComponent(name)}/instances?key=${encodeURIComponent(`${definition.rootKey}=`)}\${__value.raw}`
  builder.withPanel(
    table({
      title: `${name}: instances by business key`,
      description:
        'The instances whose events carry the business key in the variable above (type=value); open one for its timeline with the spans behind each step',
      sql: instanceSearchSql(definition),
      width: 12,
      links: [{ field: 'instance', title: 'Timeline and traces of ${__value.raw}', url: timeline }],
    }),
  )
}

export function processDrillDown(definitions: readonly ProcessDefinition[]): DashboardBuilder {
  const builder = new DashboardBuilder('throughline: process drill-down')
    .uid('throughline-process-drill-down')
    .tags(['throughline', 'generated'])
    .description('Generated by `npm run dashboards` from dashboards/process-drill-down.ts; edit the code, not this JSON.')
    .time({ from: 'now-7d', to: 'now' })
    .timezone('browser')
    .readonly()
    .withVariable(processVariable(definitions))
    .withVariable(versionVariable())
    .withVariable(tenantVariable())
    .withVariable(businessKeyVariable())
    .withVariable(apiUrlVariable())
  for (const definition of definitions) processRow(builder, definition)
  return builder
}

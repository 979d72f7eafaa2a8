// Process overview: one row per process definition with throughput and WIP (K3), cycle-time
// percentiles (K1), SLA attainment with at-risk and breached-open counts (K5), and stuck
// instances with their value at risk (K4). Every panel's SQL is the KPI's own, rendered by the
// KPI module and placed on Grafana's time range by grafanaSql().
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import { alwaysOpenCalendar } from '../core/calendar.ts'
import {
  cycleTimeCompletionQuery,
  expectedSystems,
  MAX_THROUGHPUT_BUCKETS,
  slaQuery,
  stageThresholds,
  stuckSummaryQuery,
  throughputQuery,
  type ProcessDefinition,
  type StuckInputs,
} from '../processes/index.ts'
import { expression, grafanaSql } from './grafana-sql.ts'
import { reshaped, stat, table, timeSeries } from './panels.ts'
import { INSTANCE_FILTER, instanceFilterBindings, processBinding, processVariable, tenantVariable, versionVariable } from './variables.ts'

/** Hourly buckets over the whole range, as many as throughput() would allow. */
const HOURS_IN_RANGE = `toUInt32(least(${MAX_THROUGHPUT_BUCKETS}, intDiv(toUnixTimestamp($__toTime) - toUnixTimestamp($__fromTime), 3600) + 2))`

/**
 * Business-calendar arithmetic binds the calendar's working periods over the query's range,
 * computed in JS: a range Grafana chooses has none. Panels measure on the wall clock instead
 * (docs/dashboards.md).
 */
export function onWallClock(definition: ProcessDefinition): ProcessDefinition {
  return { ...definition, calendar: alwaysOpenCalendar(definition.calendar.timeZone) }
}

export function throughputSql(definition: ProcessDefinition): string {
  return grafanaSql((w) => throughputQuery({ definition, window: w, nowNs: w.toNs, bucket: 'hour', filter: INSTANCE_FILTER }), {
    process: processBinding(definition),
    maxBuckets: expression(HOURS_IN_RANGE),
    ...instanceFilterBindings(),
  })
}

export function cycleTimeSql(definition: ProcessDefinition): string {
  return grafanaSql((w) => cycleTimeCompletionQuery({ definition, window: w, nowNs: w.toNs, filter: INSTANCE_FILTER }), {
    process: processBinding(definition),
    ...instanceFilterBindings(),
  })
}

export function slaSql(definition: ProcessDefinition): string | undefined {
  if (definition.slas.length === 0) return undefined
  return reshaped(
    'sla, if(met + breached = 0, NULL, met / (met + breached)) AS attainment, met, breached, pending, atRisk AS at_risk, breachedOpen AS breached_open',
    grafanaSql((w) => slaQuery({ definition: onWallClock(definition), window: w, nowNs: w.toNs, filter: INSTANCE_FILTER, limit: 0 }, definition.slas), {
      process: processBinding(definition),
      ...instanceFilterBindings(),
    }),
  )
}

/**
 * Stuck needs thresholds and watermarks settled first. Static thresholds are the definition's;
 * a dynamic one (k x the stage's recent p-th percentile) takes its floor, and no system is
 * treated as late: the panel can count an instance the API calls unknown_late_data.
 */
export function stuckInputs(definition: ProcessDefinition): StuckInputs {
  const thresholdMs: Record<string, number> = {}
  for (const [stage, { threshold }] of stageThresholds(definition)) thresholdMs[stage] = threshold.kind === 'static' ? threshold.ms : threshold.minMs
  return { thresholdMs, businessStages: [], expectedSystem: expectedSystems(definition), lateSystems: [] }
}

export function stuckSql(definition: ProcessDefinition): string {
  const inputs = stuckInputs(definition)
  const wall = onWallClock(definition)
  return reshaped(
    "stuck, if(stuck = 0, NULL, toInt64(oldestAgeNs) / 1e9) AS oldest_age_seconds, arrayStringConcat(arrayMap(v -> concat(v.2, ' ', v.1, ' (', v.3, ')'), valueAtRisk), ', ') AS value_at_risk",
    grafanaSql((w) => stuckSummaryQuery({ definition: wall, nowNs: w.toNs, filter: INSTANCE_FILTER }, inputs), {
      process: processBinding(definition),
      ...instanceFilterBindings(),
    }),
  )
}

function processRow(builder: DashboardBuilder, definition: ProcessDefinition): void {
  const name = definition.name
  builder.withRow(new RowBuilder(name))
  const throughput = throughputSql(definition)
  builder.withPanel(
    timeSeries({
      title: `${name}: throughput per hour`,
      description: 'K3: instances that arrived (start milestone), completed, were cancelled or failed per hour, in the calendar time zone',
      sql: reshaped('toDateTime(toInt64(startS)) AS time, arrivals, completions, cancelled, failed', throughput, 'ORDER BY time'),
    }),
  )
  builder.withPanel(
    timeSeries({
      title: `${name}: work in progress`,
      description: "K3: open instances at each hour's end (now for the current hour)",
      sql: reshaped(
        'toDateTime(toInt64(startS)) AS time, toInt64(wip) AS wip',
        throughput,
        'WHERE toInt64(startS) <= toUnixTimestamp($__toTime)\nORDER BY time',
      ),
    }),
  )
  builder.withPanel(
    stat({
      title: `${name}: cycle time (completed in range)`,
      description: 'K1, completion cohort: exact percentiles of start-to-end time of instances completed in the range, wall clock',
      sql: reshaped('count AS completed, p50, p90, p95, p99', cycleTimeSql(definition)),
      unit: 's',
      units: { completed: 'short' },
      width: 8,
    }),
  )
  const sla = slaSql(definition)
  if (sla !== undefined) {
    builder.withPanel(
      table({
        title: `${name}: SLA attainment and at risk`,
        description:
          'K5: attainment = met / (met + breached) over the instances whose deadline falls in the range; at risk and breached-open are open instances now. Wall clock.',
        sql: sla,
        units: { attainment: 'percentunit' },
        width: 8,
      }),
    )
  }
  builder.withPanel(
    stat({
      title: `${name}: stuck now`,
      description: "K4 at the range's end: open instances idle past their stage's threshold, the oldest age and the value at risk per currency",
      sql: stuckSql(definition),
      units: { oldest_age_seconds: 's' },
      width: 8,
    }),
  )
}

export function processOverview(definitions: readonly ProcessDefinition[]): DashboardBuilder {
  const builder = new DashboardBuilder('throughline: process overview')
    .uid('throughline-process-overview')
    .tags(['throughline', 'generated'])
    .description('Generated by `npm run dashboards` from dashboards/process-overview.ts; edit the code, not this JSON.')
    .time({ from: 'now-7d', to: 'now' })
    .timezone('browser')
    .refresh('1m')
    .readonly()
    .withVariable(processVariable(definitions))
    .withVariable(versionVariable())
    .withVariable(tenantVariable())
  for (const definition of definitions) processRow(builder, definition)
  return builder
}

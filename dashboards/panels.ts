// The few panel shapes the dashboards use, each over one ClickHouse SQL query (or two, for the
// node graph), so the dashboard modules read as a list of KPIs and the SQL they show.
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common'
import type { DashboardLink, DataSourceRef, DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard'
import { PanelBuilder as NodeGraphPanel } from '@grafana/grafana-foundation-sdk/nodegraph'
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table'
import { PanelBuilder as TimeSeriesPanel } from '@grafana/grafana-foundation-sdk/timeseries'
import { ClickHouseQueryBuilder, DATASOURCE } from './clickhouse-query.ts'

/** A KPI's SQL as a subquery, reshaped for a panel (columns renamed, a time column made). */
export function reshaped(select: string, kpiSql: string, tail = ''): string {
  return `SELECT ${select}\nFROM (\n${kpiSql}\n)${tail === '' ? '' : `\n${tail}`}`
}

interface PanelSpec {
  readonly title: string
  readonly description: string
  readonly sql: string
  readonly width?: number
  readonly height?: number
  /** Units of single columns (Grafana unit ids: 's', 'percentunit', ...), over the panel's. */
  readonly units?: Readonly<Record<string, string>>
}

/** Anything with Grafana's per-field overrides. */
interface Overridable {
  overrideByName(name: string, properties: DynamicConfigValue[]): unknown
}

function withUnits<P extends Overridable>(panel: P, units: PanelSpec['units']): P {
  for (const [field, unit] of Object.entries(units ?? {})) panel.overrideByName(field, [{ id: 'unit', value: unit }])
  return panel
}

const ds: DataSourceRef = DATASOURCE

export function timeSeries(spec: PanelSpec & { readonly unit?: string }): TimeSeriesPanel {
  const panel = new TimeSeriesPanel()
    .title(spec.title)
    .description(spec.description)
    .datasource(ds)
    .withTarget(new ClickHouseQueryBuilder(spec.sql, 'timeSeries').refId('A'))
    .unit(spec.unit ?? 'short')
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
  return withUnits(panel, spec.units)
}

/** Big values of one row; text columns are shown too (all fields, the last non-null value). */
export function stat(spec: PanelSpec & { readonly unit?: string }): StatPanel {
  const panel = new StatPanel()
    .title(spec.title)
    .description(spec.description)
    .datasource(ds)
    .withTarget(new ClickHouseQueryBuilder(spec.sql).refId('A'))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('/.*/').values(false))
    .unit(spec.unit ?? 'short')
    .span(spec.width ?? 6)
    .height(spec.height ?? 6)
  return withUnits(panel, spec.units)
}

export function table(
  spec: PanelSpec & { readonly links?: ReadonlyArray<{ readonly field: string; readonly title: string; readonly url: string }> },
): TablePanel {
  const panel = new TablePanel()
    .title(spec.title)
    .description(spec.description)
    .datasource(ds)
    .withTarget(new ClickHouseQueryBuilder(spec.sql).refId('A'))
    .span(spec.width ?? 24)
    .height(spec.height ?? 8)
  withUnits(panel, spec.units)
  for (const link of spec.links ?? []) {
    const value: Array<Pick<DashboardLink, 'title'> & { url: string; targetBlank: boolean }> = [{ title: link.title, url: link.url, targetBlank: true }]
    panel.overrideByName(link.field, [{ id: 'links', value }])
  }
  return panel
}

/** Grafana's node graph reads two frames: nodes (id, title, mainstat) and edges (id, source, target, mainstat). */
export function nodeGraph(spec: Omit<PanelSpec, 'sql'> & { readonly nodesSql: string; readonly edgesSql: string }): NodeGraphPanel {
  return new NodeGraphPanel()
    .title(spec.title)
    .description(spec.description)
    .datasource(ds)
    .withTarget(new ClickHouseQueryBuilder(spec.nodesSql).refId('nodes'))
    .withTarget(new ClickHouseQueryBuilder(spec.edgesSql).refId('edges'))
    .span(spec.width ?? 24)
    .height(spec.height ?? 12)
}

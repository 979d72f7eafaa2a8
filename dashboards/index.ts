// Grafana dashboards as code: the process overview, drill-down, integrations and alerts
// dashboards, built with @grafana/grafana-foundation-sdk over the KPIs' own SQL, and the
// provisioning files that load them. `npm run dashboards` writes them (dashboards/generate.ts).
import type { Dashboard, DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import type { ProcessDefinition } from '../processes/index.ts'
import { alertsAndIncidents } from './alerts.ts'
import { dashboardProvisioning, datasourceProvisioning } from './provisioning.ts'
import { integrations } from './integrations.ts'
import { processDrillDown } from './process-drill-down.ts'
import { processOverview } from './process-overview.ts'

export { ClickHouseQueryBuilder, CLICKHOUSE_PLUGIN, DATASOURCE, type ClickHouseSqlQuery } from './clickhouse-query.ts'
export { expandMacros, grafanaQueryText, interpolateVariables, PLUGIN_MACROS, type GrafanaQueryContext } from './grafana-macros.ts'
export { expression, grafanaSql, GrafanaSqlError, PROBE_WINDOWS, typedLiteral, variable, type GrafanaBinding, type ProbeWindow } from './grafana-sql.ts'
export { DASHBOARDS_MOUNT } from './provisioning.ts'

/** The folder under dashboards/ the dashboard JSON goes to (the provider reads it whole). */
export const GENERATED_DIR = 'generated'

/** The built dashboard with panel ids 1, 2, ... in layout order (links to a panel and "view panel" need them). */
export function builtDashboard(builder: DashboardBuilder): Dashboard {
  const dashboard = builder.build()
  let id = 0
  for (const panel of dashboard.panels ?? []) panel.id = ++id
  return dashboard
}

/** Every generated file, path relative to dashboards/ -> content, in a fixed order. */
export function generateDashboards(definitions: readonly ProcessDefinition[]): Map<string, string> {
  // Code-point order, not the locale's: the output must not depend on the machine.
  const sorted = [...definitions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const boards = {
    'process-overview': processOverview(sorted),
    'process-drill-down': processDrillDown(sorted),
    integrations: integrations(),
    'alerts-and-incidents': alertsAndIncidents(),
  }
  const files = new Map<string, string>()
  for (const [name, builder] of Object.entries(boards)) files.set(`${GENERATED_DIR}/${name}.json`, `${JSON.stringify(builtDashboard(builder), null, 2)}\n`)
  files.set('provisioning/datasources/throughline.yaml', datasourceProvisioning())
  files.set('provisioning/dashboards/throughline.yaml', dashboardProvisioning())
  return files
}

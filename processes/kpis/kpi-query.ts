// A KPI's query as rendered: SQL with `{name:Type}` placeholders and the values bound to them.
// The KPI functions run it; the dashboards (dashboards/) map the same placeholders to Grafana
// macros and variables, so a panel and the API read one definition of each KPI.
import type { QueryParams } from '../../store/index.ts'

export interface KpiQuery {
  readonly sql: string
  readonly params: QueryParams
}

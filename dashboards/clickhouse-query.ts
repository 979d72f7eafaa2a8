// The panel query of the official ClickHouse plugin (grafana-clickhouse-datasource, its
// CHSqlQuery in src/types/sql.ts), as a foundation-SDK dataquery: the SDK ships builders for
// core datasources only and documents this way of adding a plugin's query type.
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog'
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard'

export const CLICKHOUSE_PLUGIN = 'grafana-clickhouse-datasource'

/** The provisioned datasource every panel names (dashboards/provisioning/datasources). */
export const DATASOURCE: DataSourceRef = { type: CLICKHOUSE_PLUGIN, uid: 'throughline-clickhouse' }

/** Table: rows as they come; timeSeries: a time column plus values (the plugin pivots long series). */
export type ClickHouseQueryType = 'table' | 'timeSeries'

export interface ClickHouseSqlQuery extends Dataquery {
  refId?: string
  hide?: boolean
  datasource: DataSourceRef
  editorType: 'sql'
  queryType: ClickHouseQueryType
  rawSql: string
}

export class ClickHouseQueryBuilder implements Builder<Dataquery> {
  private readonly query: ClickHouseSqlQuery

  constructor(rawSql: string, queryType: ClickHouseQueryType = 'table') {
    this.query = { datasource: DATASOURCE, editorType: 'sql', queryType, rawSql, _implementsDataqueryVariant() {} }
  }

  refId(refId: string): this {
    this.query.refId = refId
    return this
  }

  build(): ClickHouseSqlQuery {
    return this.query
  }
}

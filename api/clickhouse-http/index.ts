// A read-only ClickHouse HTTP interface on the embedded store (docs/clickhouse-http.md).
export { buildClickHouseHttpApp, type ClickHouseHttpOptions } from './app.ts'
export { startClickHouseHttp, type RunningClickHouseHttp } from './start.ts'
export { type HttpUser } from './auth.ts'
export { ClickHouseHttpError } from './errors.ts'
export { GRAFANA_SYSTEM_TABLES } from './statement-policy.ts'

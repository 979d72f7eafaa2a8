// Opens the store: embedded chDB in <dataDir>/clickhouse when no ClickHouse URL is set,
// otherwise a ClickHouse server (or a cluster node) over HTTP(S). Either way callers get the
// same @clickhouse/client ClickHouseClient, so every query runs unchanged on both.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import type { Config } from '../core/config.ts'
import { ConfigError } from '../core/errors.ts'
import { createDatabaseSql, ddlTarget } from './ddl.ts'
import { command } from './query.ts'

export type StoreMode = 'embedded' | 'server'

export interface StoreClient {
  readonly client: ClickHouseClient
  readonly mode: StoreMode
  /** The database every table lives in (config.clickhouse.database). */
  readonly database: string
  /** The cluster DDL runs ON, when configured; undefined on a single server or chDB. */
  readonly cluster: string | undefined
  /**
   * CREATE DATABASE IF NOT EXISTS (ON CLUSTER when set). On chDB it also makes the database
   * the session's current one, which a server client gets from its `database` option.
   */
  ensureDatabase(): Promise<void>
  close(): Promise<void>
}

type StoreConfig = Pick<Config, 'dataDir' | 'clickhouse' | 'retention'>

const APPLICATION = 'throughline'

/** The TLS part of the client options: a CA alone, or a CA with a client certificate and key. */
function tlsOptions(clickhouse: Config['clickhouse']): Pick<ClickHouseClientConfigOptions, 'tls'> {
  const { caCertPath, clientCertPath, clientKeyPath } = clickhouse
  if (clientCertPath === undefined && clientKeyPath === undefined) {
    return caCertPath === undefined ? {} : { tls: { ca_cert: readFileSync(caCertPath) } }
  }
  if (caCertPath === undefined || clientCertPath === undefined || clientKeyPath === undefined) {
    throw new ConfigError('clickhouse: mutual TLS needs caCertPath, clientCertPath and clientKeyPath together')
  }
  return { tls: { ca_cert: readFileSync(caCertPath), cert: readFileSync(clientCertPath), key: readFileSync(clientKeyPath) } }
}

function serverOptions(url: string, clickhouse: Config['clickhouse']): ClickHouseClientConfigOptions {
  return {
    url,
    username: clickhouse.user,
    password: clickhouse.password,
    request_timeout: clickhouse.requestTimeoutMs,
    application: APPLICATION,
    ...tlsOptions(clickhouse),
  }
}

/** The one place a ClickHouse client is made. Synchronous: nothing is contacted until the first query. */
export function createStoreClient(config: StoreConfig): StoreClient {
  const target = ddlTarget(config) // validates database and cluster names before any use
  const { url } = config.clickhouse
  if (url === undefined && target.cluster !== undefined) {
    throw new ConfigError('clickhouse.cluster: needs clickhouse.url; embedded chDB is a single node')
  }
  if (url === undefined) {
    // chDB binds one data directory per process; an absolute path keeps it stable whatever
    // the working directory of whoever calls.
    const dataPath = path.join(path.resolve(config.dataDir), 'clickhouse')
    const client = createClient({ connection: createChdbConnection({ path: dataPath }), application: APPLICATION })
    return {
      client,
      mode: 'embedded',
      database: target.database,
      cluster: undefined,
      async ensureDatabase() {
        await command({ client }, createDatabaseSql(target), {}, { tag: 'store.create-database' })
        // USE persists on the chDB session, like the server client's `database` option.
        await command({ client }, `USE \`${target.database}\``, {}, { tag: 'store.use-database' })
      },
      close: () => client.close(),
    }
  }
  const options = serverOptions(url, config.clickhouse)
  const client = createClient({ ...options, database: target.database })
  return {
    client,
    mode: 'server',
    database: target.database,
    cluster: target.cluster,
    async ensureDatabase() {
      // A client bound to a database that does not exist yet fails every request, so the
      // database is created over a short-lived client on the user's default database.
      const bootstrap = createClient(options)
      try {
        await command({ client: bootstrap }, createDatabaseSql(target), {}, { tag: 'store.create-database' })
      } finally {
        await bootstrap.close()
      }
    },
    close: () => client.close(),
  }
}

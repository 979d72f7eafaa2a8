// Opens the store: embedded chDB in <dataDir>/clickhouse when no ClickHouse URL is set,
// otherwise a ClickHouse server (or a cluster node) over HTTP(S). Either way callers get the
// same @clickhouse/client ClickHouseClient, so every query runs unchanged on both.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import type { Config } from '../core/config.ts'
import { ConfigError, ErrorCode, ThroughlineError } from '../core/errors.ts'
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
  /**
   * Runs `run` on a client whose session settings cannot leak into the store's other
   * statements: on chDB a second session on the same data directory (chDB's SET persists per
   * session), on a server the same client (settings travel with each request).
   */
  withIsolatedSession<T>(run: (client: ClickHouseClient) => Promise<T>): Promise<T>
  close(): Promise<void>
}

type StoreConfig = Pick<Config, 'dataDir' | 'clickhouse' | 'retention'>

const APPLICATION = 'throughline'
// Every failure reaches the caller, which logs it through pino with its context; the
// client's own console logger would print each one again, unstructured, once per retry.
const CLIENT_LOG = { level: ClickHouseLogLevel.OFF }

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
    log: CLIENT_LOG,
    ...tlsOptions(clickhouse),
  }
}

function embeddedClient(dataPath: string): ClickHouseClient {
  // chdb/connection is typed against @clickhouse/client-common, while @clickhouse/client
  // bundles its own copy of those declarations: the same shapes (chdb implements the client's
  // Connection contract), but TypeScript sees two unrelated SettingsMap classes.
  let chdb: ReturnType<typeof createChdbConnection>
  try {
    chdb = createChdbConnection({ path: dataPath })
  } catch (error) {
    // The engine locks its directory (status file): a second process cannot open it.
    throw new ThroughlineError(
      ErrorCode.storeUnavailable,
      `cannot open the embedded ClickHouse in ${dataPath}: another process (a running \`throughline serve\`?) holds it; ` +
        'the embedded engine opens a data directory from one process at a time. Stop that process, or use a ClickHouse server (CLICKHOUSE_URL)',
      503,
      { cause: error },
    )
  }
  const connection = chdb as unknown as NonNullable<ClickHouseClientConfigOptions['connection']>
  return createClient({ connection, application: APPLICATION, log: CLIENT_LOG })
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
    const client = embeddedClient(dataPath)
    const useDatabase = `USE \`${target.database}\``
    return {
      client,
      mode: 'embedded',
      database: target.database,
      cluster: undefined,
      async ensureDatabase() {
        await command({ client }, createDatabaseSql(target), {}, { tag: 'store.create-database' })
        // USE persists on the chDB session, like the server client's `database` option.
        await command({ client }, useDatabase, {}, { tag: 'store.use-database' })
      },
      async withIsolatedSession(run) {
        // Another connection on the same data directory is a separate chDB session, so the
        // settings `run` leaves behind (SET persists per session) die with it.
        const isolated = embeddedClient(dataPath)
        try {
          await command({ client: isolated }, useDatabase, {}, { tag: 'store.use-database' })
          return await run(isolated)
        } finally {
          await isolated.close()
        }
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
    withIsolatedSession: (run) => run(client), // settings are per HTTP request already
    close: () => client.close(),
  }
}

// `serve`'s entry to the interface: only on the embedded store (a ClickHouse server has its
// own HTTP port), only when enabled, and never without a password: an empty one in the config
// means a random one, logged once at start.
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../core/config.ts'
import type { Logger } from '../../core/logger.ts'
import type { StoreClient } from '../../store/index.ts'
import { buildClickHouseHttpApp } from './app.ts'

export interface RunningClickHouseHttp {
  readonly url: string
  readonly app: FastifyInstance
}

export async function startClickHouseHttp(
  config: Pick<Config, 'host' | 'clickhouseHttpPort' | 'clickhouseHttp'>,
  store: StoreClient,
  logger: Logger,
): Promise<RunningClickHouseHttp | undefined> {
  const settings = config.clickhouseHttp
  if (store.mode !== 'embedded' || !settings.enabled) return undefined
  const generated = settings.password === ''
  const password = generated ? randomBytes(18).toString('base64url') : settings.password
  const app = await buildClickHouseHttpApp({
    store,
    logger,
    users: [{ name: settings.user, password }],
    limits: { maxExecutionTimeSeconds: settings.maxExecutionTimeSeconds, maxMemoryUsageBytes: settings.maxMemoryUsageBytes },
    maxConcurrentQueries: settings.maxConcurrentQueries,
  })
  let url: string
  try {
    url = await app.listen({ host: config.host, port: config.clickhouseHttpPort })
  } catch (error) {
    // An auxiliary port: a ClickHouse server already on 8123 must not stop the collector and API.
    if (!(error instanceof Error && 'code' in error && error.code === 'EADDRINUSE')) throw error
    await app.close()
    logger.warn(
      { port: config.clickhouseHttpPort },
      'ClickHouse HTTP interface not started: the port is taken; set clickhouseHttpPort (THROUGHLINE_CLICKHOUSE_HTTP_PORT) to another one',
    )
    return undefined
  }
  logger.info(
    { url, user: settings.user, ...(generated ? { password } : {}) },
    generated
      ? 'ClickHouse HTTP interface (read-only) with a generated password: set clickhouseHttp.password (THROUGHLINE_CLICKHOUSE_HTTP_PASSWORD) to fix one'
      : 'ClickHouse HTTP interface (read-only)',
  )
  return { url, app }
}

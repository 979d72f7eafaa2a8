// Starts a real collector in the test's process: embedded ClickHouse (chDB) in a fresh data
// directory, migrations, the spool/writer pipeline and the HTTP server on a free port.
import type { Logger } from 'pino'
import { pino } from 'pino'
import { openCollector, type Collector } from '../../collector/index.ts'
import { resolveConfig, type Config } from '../../core/config.ts'
import { createStoreClient, migrate, queryRows, type StoreClient } from '../../store/index.ts'
import { tempDir } from './temp-dir.ts'

export interface RunningCollector {
  readonly url: string
  readonly config: Readonly<Config>
  readonly store: StoreClient
  readonly collector: Collector
  readonly logger: Logger
  /** Seals open segments and waits until `table` holds at least `rows` rows. */
  waitForRows(table: 'otel_traces' | 'otel_logs', rows: number, timeoutMs?: number): Promise<number>
  count(table: 'otel_traces' | 'otel_logs', where?: string): Promise<number>
  close(): Promise<void>
}

export async function startCollector(overrides: Record<string, unknown> = {}): Promise<RunningCollector> {
  const dir = tempDir('collector')
  const config = resolveConfig({ dataDir: dir.path, otlpPort: 0, logLevel: 'silent', ...overrides })
  const logger = pino({ level: config.logLevel })
  const store = createStoreClient(config)
  await migrate(store, config)
  const collector = await openCollector({ config, store, logger })
  const address = await collector.app.listen({ host: '127.0.0.1', port: 0 })
  const count = async (table: 'otel_traces' | 'otel_logs', where = '1'): Promise<number> => {
    const [row] = await queryRows<{ n: string }>(store, `SELECT count() AS n FROM ${table} WHERE ${where}`, {}, { tag: 'test.count' })
    return Number(row?.n ?? 0)
  }
  return {
    url: address,
    config,
    store,
    collector,
    logger,
    count,
    async waitForRows(table, rows, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        await collector.pipeline.flush()
        const n = await count(table)
        if (n >= rows || Date.now() > deadline) return n
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    async close() {
      await collector.close(5_000)
      await store.close()
      dir.remove()
    },
  }
}

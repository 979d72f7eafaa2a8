// Migrations when `serve` starts. The embedded store is local, so a failure there is fatal.
// A ClickHouse server may be down when the collector starts: the collector must still come up
// and spool (that is what the spool is for), so there the migrations retry in the background
// until they succeed, while the writer's inserts wait for the tables.
import type { Config } from '../core/config.ts'
import type { Logger } from '../core/logger.ts'
import { migrate, type StoreClient } from '../store/index.ts'

const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000] as const

export async function ensureSchema(store: StoreClient, config: Readonly<Config>, logger: Logger, signal: AbortSignal): Promise<void> {
  if (store.mode === 'embedded') {
    const result = await migrate(store, config)
    logger.info({ store: store.mode, applied: result.applied }, 'schema is up to date')
    return
  }
  void retryInBackground(store, config, logger, signal)
}

async function retryInBackground(store: StoreClient, config: Readonly<Config>, logger: Logger, signal: AbortSignal): Promise<void> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const result = await migrate(store, config)
      logger.info({ store: store.mode, applied: result.applied }, 'schema is up to date')
      return
    } catch (error) {
      const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!
      logger.warn({ err: error, retryInMs: wait }, 'cannot apply migrations on the ClickHouse server yet; the collector spools meanwhile')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait)
        signal.addEventListener('abort', () => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }
}

// Migrations when `serve` starts. The embedded store is local, so a failure there is fatal.
// A ClickHouse server may be down when the collector starts: the collector must still come up
// and spool (that is what the spool is for), so while the server cannot be reached the
// migrations retry in the background. Any other failure (a changed migration, bad
// credentials) stops the start, as on the embedded store.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Config } from '../core/config.ts'
import type { Logger } from '../core/logger.ts'
import { isNetworkError, migrate, type StoreClient } from '../store/index.ts'

const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000] as const

export async function ensureSchema(store: StoreClient, config: Readonly<Config>, logger: Logger, signal: AbortSignal): Promise<void> {
  try {
    const result = await migrate(store, config)
    logger.info({ store: store.mode, applied: result.applied }, 'schema is up to date')
  } catch (error) {
    if (store.mode === 'embedded' || !isNetworkError(error)) throw error
    logger.warn({ err: error }, 'cannot apply migrations on the ClickHouse server yet; the collector spools meanwhile')
    void retryInBackground(store, config, logger, signal)
  }
}

async function retryInBackground(store: StoreClient, config: Readonly<Config>, logger: Logger, signal: AbortSignal): Promise<void> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!
    try {
      await sleep(wait, undefined, { signal })
    } catch {
      return // stopping
    }
    try {
      const result = await migrate(store, config)
      logger.info({ store: store.mode, applied: result.applied }, 'schema is up to date')
      return
    } catch (error) {
      if (!isNetworkError(error)) {
        logger.error({ err: error }, 'migrations failed on the ClickHouse server; inserts will fail until this is fixed')
        return
      }
      logger.warn(
        { err: error, retryInMs: RETRY_MS[Math.min(attempt + 1, RETRY_MS.length - 1)] },
        'cannot apply migrations on the ClickHouse server yet; the collector spools meanwhile',
      )
    }
  }
}

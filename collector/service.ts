// Assembles a running collector: metrics, the spool/writer pipeline bound to the store,
// and the HTTP app. Used by `throughline serve`, the tests and the ingest benchmark.
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from '../core/config.ts'
import { isRetryableStoreError, type StoreClient } from '../store/index.ts'
import { segmentInsert } from './segment-insert.ts'
import { buildCollectorApp } from './app.ts'
import { createCollectorMetrics, type CollectorMetrics } from './metrics.ts'
import { IngestPipeline, type RecordMask } from './pipeline.ts'

export interface Collector {
  readonly app: FastifyInstance
  readonly pipeline: IngestPipeline
  readonly metrics: CollectorMetrics
  /**
   * Stop intake, drain the spool into ClickHouse for up to drainMs, close the server.
   * Resolves true when nothing was left in the spool.
   */
  close(drainMs?: number): Promise<boolean>
}

export interface CollectorOptions {
  readonly config: Readonly<Config>
  readonly store: StoreClient
  readonly logger: Logger
  readonly mask?: RecordMask
}

export async function openCollector(options: CollectorOptions): Promise<Collector> {
  const { config, store, logger } = options
  const metrics = createCollectorMetrics()
  const pipeline = await IngestPipeline.open({
    spoolDir: join(config.dataDir, 'spool'),
    spool: config.spool,
    writerConcurrency: config.writer.concurrency,
    retryInitialMs: config.writer.retryInitialMs,
    retryMaxMs: config.writer.retryMaxMs,
    insert: segmentInsert(store, join(config.dataDir, 'spool', 'staging')),
    classify: (error) => (isRetryableStoreError(error) ? 'retryable' : 'bad_data'),
    metrics,
    ...(options.mask ? { mask: options.mask } : {}),
    onWriterError: (signal, message, error) => logger.warn({ signal, err: error }, message),
  })
  pipeline.start()
  const app = await buildCollectorApp({
    config,
    pipeline,
    metrics,
    logger,
    ready: async () => (await store.client.ping()).success,
  })
  return {
    app,
    pipeline,
    metrics,
    async close(drainMs = 10_000) {
      await app.close()
      return pipeline.close(drainMs)
    },
  }
}

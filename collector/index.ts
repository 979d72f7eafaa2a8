// The OTLP/HTTP collector: receive, decode, validate, mask, spool, write.
export { openCollector, type Collector, type CollectorOptions } from './service.ts'
export { IngestPipeline, noMask, type RecordMask, type Admission } from './pipeline.ts'
export { createCollectorMetrics, type CollectorMetrics } from './metrics.ts'
export type { Signal } from './signal.ts'

// The collector's own counters, in Prometheus format at /metrics. A fixed set of names and
// outcome labels (signal, reason), so dashboards and alerts can rely on them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export interface CollectorMetrics {
  readonly registry: Registry
  readonly requests: Counter<'signal' | 'status'>
  readonly received: Counter<'signal'>
  readonly accepted: Counter<'signal'>
  readonly rejected: Counter<'signal' | 'reason'>
  readonly truncatedValues: Counter<'signal'>
  readonly droppedAttributes: Counter<'signal'>
  readonly spoolBytes: Gauge<'signal'>
  readonly spoolSegments: Gauge<'signal'>
  readonly writtenRows: Counter<'signal'>
  readonly insertErrors: Counter<'signal' | 'kind'>
  readonly quarantinedSegments: Counter<'signal'>
  readonly batchSeconds: Histogram<'signal'>
}

export function createCollectorMetrics(): CollectorMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'throughline_process_' })
  const registers = [registry]
  return {
    registry,
    requests: new Counter({
      name: 'throughline_collector_requests_total',
      help: 'Export requests by signal and HTTP status',
      labelNames: ['signal', 'status'],
      registers,
    }),
    received: new Counter({
      name: 'throughline_collector_received_records_total',
      help: 'Spans, log records and events decoded from requests',
      labelNames: ['signal'],
      registers,
    }),
    accepted: new Counter({
      name: 'throughline_collector_accepted_records_total',
      help: 'Records fsync-ed in the spool and acknowledged',
      labelNames: ['signal'],
      registers,
    }),
    rejected: new Counter({
      name: 'throughline_collector_rejected_records_total',
      help: 'Records refused, by reason',
      labelNames: ['signal', 'reason'],
      registers,
    }),
    truncatedValues: new Counter({
      name: 'throughline_collector_truncated_values_total',
      help: 'Attribute values and bodies cut to the size limit',
      labelNames: ['signal'],
      registers,
    }),
    droppedAttributes: new Counter({
      name: 'throughline_collector_dropped_attributes_total',
      help: 'Attributes past the per-record limit',
      labelNames: ['signal'],
      registers,
    }),
    spoolBytes: new Gauge({
      name: 'throughline_collector_spool_bytes',
      help: 'Bytes in the durable spool, not yet in ClickHouse',
      labelNames: ['signal'],
      registers,
    }),
    spoolSegments: new Gauge({
      name: 'throughline_collector_spool_sealed_segments',
      help: 'Sealed segments waiting for the writer',
      labelNames: ['signal'],
      registers,
    }),
    writtenRows: new Counter({ name: 'throughline_collector_written_rows_total', help: 'Rows inserted into ClickHouse', labelNames: ['signal'], registers }),
    insertErrors: new Counter({
      name: 'throughline_collector_insert_errors_total',
      help: 'Failed insert attempts, by kind (retryable, bad_data)',
      labelNames: ['signal', 'kind'],
      registers,
    }),
    quarantinedSegments: new Counter({
      name: 'throughline_collector_quarantined_segments_total',
      help: 'Segments ClickHouse refused as data, kept in spool/dead',
      labelNames: ['signal'],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'throughline_collector_batch_insert_seconds',
      help: 'Time to insert one spool segment',
      labelNames: ['signal'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  }
}

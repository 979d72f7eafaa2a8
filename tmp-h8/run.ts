import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace'
import { parseFaultSpec, runDemo, type DemoSink } from '../demo/index.ts'
let events = 0
const sink: DemoSink = {
  target: 'memory',
  spanExporter: () => new InMemorySpanExporter(),
  logExporter: () => new InMemoryLogRecordExporter(),
  postEvents: async (e) => { events += e.length; return { accepted: e.length, rejected: 0 } },
}
const START = Date.parse('2026-11-23T00:00:00+08:00')
const faults = (process.argv[2] ?? '').split(',').filter((f) => f !== '').map(parseFaultSpec)
const t0 = Date.now()
const s = await runDemo({ scenario: 'retail-o2o', sink, seed: 3, speed: 'max', nowMs: START + 30 * 3600_000, historyMs: 30 * 3600_000, durationMs: 0, ordersPerHour: 30, faults })
console.log(s.reportLines.join('\n'))
console.log(JSON.stringify({ ...s.report.counters }), s.telemetry.spans, s.telemetry.logRecords, events, Date.now() - t0, 'ms')

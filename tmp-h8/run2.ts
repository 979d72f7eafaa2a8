import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace'
import { parseFaultSpec, runDemo, type DemoSink } from '../demo/index.ts'
const sink: DemoSink = { target: 'memory', spanExporter: () => new InMemorySpanExporter(), logExporter: () => new InMemoryLogRecordExporter(), postEvents: async (e) => ({ accepted: e.length, rejected: 0 }) }
const START = Date.parse('2026-11-22T10:00:00+08:00')
const END = START + 42 * 3600_000
const FAULTS = ['duplicate_deliveries@16h+4h','slow_sync@24h+3h','pos_down@28h+1h','consumer_stopped@30h+90m','mapping_errors@32h+2h','clock_skew@34h+2h','late_batch@36h']
const s = await runDemo({ scenario: 'retail-o2o', sink, seed: 5, speed: 'max', nowMs: END, historyMs: END - START, durationMs: 0, ordersPerHour: 20, customerChangesPerHour: 10, faults: FAULTS.map(parseFaultSpec) })
const r = s.report
console.log(JSON.stringify({ ...r, orders: undefined }))
const o = r.orders
console.log('unpaid', o.filter(x=>x.paidAt===undefined).length, 'omsCancelled', o.filter(x=>x.paidAt!==undefined && x.cancelledAt!==undefined).length, 'ship', o.filter(x=>x.fulfilment==='ship' && x.acceptedAt!==undefined).length, 'pickup', o.filter(x=>x.fulfilment==='pickup'&& x.acceptedAt!==undefined).length, 'declinedOrders', o.filter(x=>x.routings.some(r=>r.outcome==='declined')).length, 'routings', o.reduce((n,x)=>n+x.routings.length,0))

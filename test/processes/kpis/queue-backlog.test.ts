// Queue backlog from messaging spans the real OpenTelemetry SDK made and sent over OTLP to a
// running collector: messages sent and not yet consumed per destination, the oldest wait, the
// semantic conventions' old and new operation attributes and span kinds, the window, the API's
// answer and its bad input, and the rule KPIs built on it. Hand-checked numbers.
import { SpanKind, type Tracer } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApiApp } from '../../../api/index.ts'
import { queueBacklog } from '../../../processes/index.ts'
import { checkRuleTexts, createRulesEngine } from '../../../rules/index.ts'
import { startCollector, type RunningCollector } from '../../support/running-collector.ts'

const T0 = Date.parse('2026-11-02T09:00:00Z')
const MINUTE = 60_000
const at = (minutes: number): number => T0 + minutes * MINUTE
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n
const NOW = at(60)

let running: RunningCollector
let spans = 0

async function asService(serviceName: string, emit: (tracer: Tracer) => void): Promise<void> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${running.url}/v1/traces` }) })],
  })
  emit(provider.getTracer('queue-backlog-test'))
  await provider.shutdown()
}

/** A message span at `ms`: a send (producer) or a process (consumer) of message `id`. */
function message(tracer: Tracer, destination: string, operation: 'send' | 'process' | 'none', id: string, ms: number, legacy = false): void {
  const attributes: Record<string, string> = { 'messaging.system': 'rabbitmq', 'messaging.destination.name': destination, 'messaging.message.id': id }
  if (operation !== 'none') attributes[legacy ? 'messaging.operation' : 'messaging.operation.type'] = operation
  const kind = operation === 'process' ? SpanKind.CONSUMER : SpanKind.PRODUCER
  tracer.startSpan(`${destination} ${operation}`, { kind, attributes, startTime: ms }).end(ms + 5)
  spans++
}

beforeAll(async () => {
  running = await startCollector()
  // erp.deliveries: 6 messages sent at minutes 10..15; D1-D3 processed 2 minutes later; D4-D6
  // never (the consumer stopped at minute 13). D0 was sent before the window (minute -30) and
  // is never counted. wms.stock: S1 sent with the old `messaging.operation` attribute and
  // processed; S2 sent by span kind alone (no operation attribute), processed only after NOW.
  await asService('ERP', (tracer) => {
    message(tracer, 'erp.deliveries', 'send', 'D0', at(-30))
    for (let i = 1; i <= 6; i++) message(tracer, 'erp.deliveries', 'send', `D${i}`, at(9 + i))
    message(tracer, 'wms.stock', 'send', 'S1', at(20), true)
    message(tracer, 'wms.stock', 'none', 'S2', at(40))
  })
  await asService('WMS', (tracer) => {
    for (let i = 1; i <= 3; i++) message(tracer, 'erp.deliveries', 'process', `D${i}`, at(11 + i))
    message(tracer, 'wms.stock', 'process', 'S1', at(21), true)
    message(tracer, 'wms.stock', 'process', 'S2', at(65))
  })
  expect(await running.waitForRows('otel_traces', spans)).toBe(spans)
})
afterAll(async () => {
  await running.close()
})

describe('queue backlog', () => {
  it('counts the messages sent in the window that no consumer took by now, and the oldest wait', async () => {
    const queues = await queueBacklog(running.store, { fromNs: ns(at(0)), nowNs: ns(NOW) })
    expect(queues).toEqual([
      // D4 sent at minute 13: waiting 47 minutes at NOW.
      { system: 'rabbitmq', destination: 'erp.deliveries', sent: 6, consumed: 3, backlog: 3, oldestWaitingSeconds: 47 * 60 },
      // S2 is processed at minute 65, after NOW: still waiting (20 minutes) then.
      { system: 'rabbitmq', destination: 'wms.stock', sent: 2, consumed: 1, backlog: 1, oldestWaitingSeconds: 20 * 60 },
    ])
    const later = await queueBacklog(running.store, { fromNs: ns(at(0)), nowNs: ns(at(70)), destination: 'wms.stock' })
    expect(later).toEqual([{ system: 'rabbitmq', destination: 'wms.stock', sent: 2, consumed: 2, backlog: 0, oldestWaitingSeconds: null }])
  })

  it('answers on the API with the window, and 400 naming the field for bad input', async () => {
    const api = await buildApiApp({ store: running.store, logger: pino({ level: 'silent' }) })
    try {
      const res = await api.inject({
        method: 'GET',
        url: `/api/v1/integrations/queues?from=${new Date(at(0)).toISOString()}&as_of=${new Date(NOW).toISOString()}&destination=erp.deliveries`,
      })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({
        window: { from: new Date(at(0)).toISOString(), asOf: new Date(NOW).toISOString() },
        queues: [{ system: 'rabbitmq', destination: 'erp.deliveries', sent: 6, consumed: 3, backlog: 3, oldestWaitingSeconds: 2820 }],
      })
      for (const [query, field] of [
        [`from=${new Date(NOW).toISOString()}&as_of=${new Date(at(0)).toISOString()}`, 'from'],
        ['as_of=yesterday', 'as_of'],
        ['destination=', 'destination'],
      ] as const) {
        const bad = await api.inject({ method: 'GET', url: `/api/v1/integrations/queues?${query}` })
        expect(bad.statusCode, query).toBe(400)
        expect(bad.json<{ message: string }>().message, query).toContain(field)
      }
    } finally {
      await api.close()
    }
  })

  it('is a threshold KPI for rules, per destination', async () => {
    const load = checkRuleTexts(
      [
        {
          file: 'alert-rules/queues.yaml',
          text: `group: queues
rules:
  - { id: backlog, kind: threshold, kpi: queue_backlog, group_by: [destination], window: 1h, op: '>', value: 2 }
  - { id: waiting, kind: threshold, kpi: queue_oldest_waiting_seconds, where: { destination: wms.stock }, window: 1h, op: '>', value: 600 }
`,
        },
      ],
      [],
    )
    if (!load.ok) throw new Error(JSON.stringify(load.problems))
    const engine = await createRulesEngine({
      store: running.store,
      rules: load.rules,
      definitions: [],
      logger: pino({ level: 'silent' }),
      links: { api: 'http://x', runbooks: 'http://x/rb' },
      clock: () => NOW,
    })
    await engine.evaluate(NOW, { all: true })
    await engine.stop()
    const alerts = engine
      .alerts()
      .map((a) => `${a.record.ruleId} ${a.record.labels.destination ?? ''} ${a.record.phase} ${a.record.lastValue}`)
      .sort()
    expect(alerts).toEqual(['backlog erp.deliveries firing 3', 'backlog wms.stock inactive 1', 'waiting  firing 1200'])
  })
})

// With the spool at its bound (ClickHouse down, so nothing drains), the collector refuses
// with 503 + Retry-After, and intake reopens once the writer has drained the spool. That the
// refusal costs no memory is measured on a separate process: test/cli/serve-memory.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { command } from '../../store/index.ts'
import { postProtobuf, spanBatches } from '../support/otlp-requests.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'

const SPOOL_BYTES = 400_000 // 200 kB per signal lane
let running: RunningCollector
beforeAll(async () => {
  running = await startCollector({
    spool: { maxBytes: SPOOL_BYTES, segmentMaxBytes: 50_000, segmentMaxAgeMs: 50 },
    writer: { retryInitialMs: 20, retryMaxMs: 100, drainOnStopMs: 10_000 },
  })
})
afterAll(async () => {
  await running.close()
})

describe('backpressure', () => {
  it('answers 503 with Retry-After once the spool is full, and reopens after recovery', async () => {
    await command(running.store, 'DETACH TABLE otel_traces', {}, { tag: 'test.outage' })
    const batches = spanBatches(40, 100)
    // Let the writer meet the outage first, so the refusal can name its cause.
    expect((await postProtobuf(running.url, batches[0]!.protobuf)).status).toBe(200)
    let accepted = batches[0]!.spans.length
    while (((await running.collector.metrics.insertErrors.get()).values[0]?.value ?? 0) === 0) await new Promise((r) => setTimeout(r, 20))
    let refusal: Response | undefined
    for (const batch of batches.slice(1)) {
      const res = await postProtobuf(running.url, batch.protobuf)
      if (res.status === 200) {
        accepted += batch.spans.length
        await res.arrayBuffer()
        continue
      }
      refusal = res
      break
    }
    expect(refusal?.status).toBe(503)
    expect(refusal?.headers.get('retry-after')).toBe('30')
    expect(refusal?.headers.get('content-type')).toBe('application/x-protobuf')
    // google.rpc.Status: field 1 (code, varint) then field 2 (message, length-delimited).
    const status = Buffer.from(await refusal!.arrayBuffer())
    expect([status[0], status[1], status[2]]).toEqual([0x08, 14, 0x12])
    expect(status.subarray(4).toString()).toMatch(/^TL_SPOOL_FULL: the spool is full because ClickHouse is unavailable/)
    expect(running.collector.pipeline.spooledBytes).toBeLessThanOrEqual(SPOOL_BYTES / 2)

    const readyWhileFull = await fetch(`${running.url}/readyz`)
    expect(readyWhileFull.status).toBe(503)
    expect(await readyWhileFull.json()).toMatchObject({ status: 'not_ready', store: 'failing_inserts' })

    await command(running.store, 'ATTACH TABLE otel_traces', {}, { tag: 'test.recovery' })
    expect(await running.waitForRows('otel_traces', accepted)).toBe(accepted)
    const afterRecovery = await postProtobuf(running.url, batches.at(-1)!.protobuf)
    expect(afterRecovery.status).toBe(200)
    expect(await running.waitForRows('otel_traces', accepted + 100)).toBe(accepted + 100)
  })
})

// With the spool at its bound (ClickHouse down, so nothing drains), the collector refuses
// with 503 + Retry-After before reading bodies, its memory stays flat however much is
// offered, and intake reopens once the writer has drained the spool.
import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { command } from '../../store/index.ts'
import { postProtobuf, spanBatches } from '../support/otlp-requests.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'

v8.setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const SPOOL_BYTES = 400_000 // 200 kB per signal lane
let running: RunningCollector
beforeAll(async () => {
  running = await startCollector({
    spool: { maxBytes: SPOOL_BYTES, segmentMaxBytes: 50_000, segmentMaxAgeMs: 50 },
    writer: { retryInitialMs: 20, retryMaxMs: 100 },
  })
})
afterAll(async () => {
  await running.close()
})

describe('backpressure', () => {
  it('answers 503 with Retry-After once the spool is full, keeps memory bounded, and reopens after recovery', async () => {
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

    // Offer 200 MB more while full: every request is refused before its body is read, so
    // nothing of it is retained (measured after a full GC: heap plus Buffers).
    const big = Buffer.alloc(1_000_000, 1)
    const retained = (): number => {
      gc()
      const m = process.memoryUsage()
      return m.heapUsed + m.external
    }
    const offer = async (requests: number): Promise<void> => {
      for (let i = 0; i < requests; i++) {
        const res = await postProtobuf(running.url, big)
        expect(res.status).toBe(503)
        await res.arrayBuffer()
      }
    }
    const r0 = retained()
    await offer(100)
    const r1 = retained()
    await offer(200)
    const r3 = retained()
    // The first round warms up connection pools and compiled code (tens of MB, whatever the
    // request size); after it, 200 MB more of refused requests retain next to nothing.
    expect(r3 - r1).toBeLessThan(20_000_000)
    expect(r3 - r0).toBeLessThan(100_000_000)

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

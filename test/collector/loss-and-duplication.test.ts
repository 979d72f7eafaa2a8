// Nothing accepted is lost or counted twice: while ClickHouse refuses inserts (the table is
// detached, a real engine failure), the collector keeps accepting into its spool, and once the
// table is back every acknowledged span is stored exactly once, even when a segment that was
// already stored is replayed (a crash between the insert and the spool's delete).
import { copyFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { command, queryRows } from '../../store/index.ts'
import { postProtobuf, spanBatches } from '../support/otlp-requests.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'

let running: RunningCollector
beforeAll(async () => {
  running = await startCollector({ spool: { segmentMaxAgeMs: 50 }, writer: { retryInitialMs: 20, retryMaxMs: 100 } })
})
afterAll(async () => {
  await running.close()
})

async function duplicates(): Promise<number> {
  const [row] = await queryRows<{ n: string }>(
    running.store,
    'SELECT count() - uniqExact(TraceId, SpanId) AS n FROM otel_traces',
    {},
    { tag: 'test.duplicates' },
  )
  return Number(row?.n)
}

describe('the collector while ClickHouse is unavailable', () => {
  it('acknowledges, spools and then stores every span exactly once', async () => {
    const batches = spanBatches(30, 50)
    let acknowledged = 0
    for (const [i, batch] of batches.entries()) {
      if (i === 10) {
        await running.waitForRows('otel_traces', 10 * 50)
        await command(running.store, 'DETACH TABLE otel_traces', {}, { tag: 'test.outage' })
      }
      if (i === 25) await command(running.store, 'ATTACH TABLE otel_traces', {}, { tag: 'test.recovery' })
      const res = await postProtobuf(running.url, batch.protobuf)
      expect(res.status).toBe(200)
      acknowledged += batch.spans.length
      if (i === 20) {
        // The outage was seen: inserts failed and the spool holds the acknowledged spans.
        await new Promise((r) => setTimeout(r, 300))
        const metrics = await (await fetch(`${running.url}/metrics`)).text()
        expect(metrics).toMatch(/throughline_collector_insert_errors_total\{signal="traces",kind="retryable"\} [1-9]/)
        expect(running.collector.pipeline.spooledBytes).toBeGreaterThan(0)
      }
    }
    expect(acknowledged).toBe(1500)
    expect(await running.waitForRows('otel_traces', 1500)).toBe(1500)
    expect(await duplicates()).toBe(0)
  })

  it('stores a segment replayed after it was already inserted only once', async () => {
    const before = await running.count('otel_traces')
    const spoolDir = join(running.config.dataDir, 'spool', 'traces')
    // Hold the writer back (table detached) so the segment stays on disk long enough to copy.
    await command(running.store, 'DETACH TABLE otel_traces', {}, { tag: 'test.outage' })
    const [batch] = spanBatches(1, 40)
    expect((await postProtobuf(running.url, batch!.protobuf)).status).toBe(200)
    await running.collector.pipeline.flush()
    const segment = readdirSync(spoolDir).find((f) => f.endsWith('.seg'))
    expect(segment).toBeDefined()
    copyFileSync(join(spoolDir, segment!), join(spoolDir, 'replay-copy'))
    await command(running.store, 'ATTACH TABLE otel_traces', {}, { tag: 'test.recovery' })
    expect(await running.waitForRows('otel_traces', before + 40)).toBe(before + 40)

    // As if the process died after the insert but before deleting the file: put it back
    // and reopen the pipeline, which replays it with the same token.
    await running.collector.close(5_000)
    copyFileSync(join(spoolDir, 'replay-copy'), join(spoolDir, segment!))
    const { openCollector } = await import('../../collector/index.ts')
    const reopened = await openCollector({ config: running.config, store: running.store, logger: running.logger })
    await new Promise((r) => setTimeout(r, 500))
    await reopened.pipeline.flush()
    await reopened.close(5_000)
    // The replayed segment was really inserted again (not skipped), and ClickHouse kept one copy.
    const written = (await reopened.metrics.writtenRows.get()).values.find((v) => v.labels.signal === 'traces')
    expect(written?.value).toBe(40)
    expect(readdirSync(spoolDir).filter((f) => f.endsWith('.seg'))).toEqual([])
    expect(await running.count('otel_traces')).toBe(before + 40)
    expect(await duplicates()).toBe(0)
  })
})

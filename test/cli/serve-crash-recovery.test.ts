// `throughline serve` as a real process: a span acknowledged with 2xx survives SIGKILL and is
// stored exactly once after the restart; SIGTERM drains the spool and exits with the signal.
import { afterAll, describe, expect, it } from 'vitest'
import { postProtobuf, spanBatches } from '../support/otlp-requests.ts'
import { runThroughline, startServe } from '../support/serve-process.ts'
import { tempDir } from '../support/temp-dir.ts'

const dir = tempDir('serve-crash')
afterAll(() => dir.remove())

async function storedSpans(apiUrl: string): Promise<number> {
  const res = await fetch(`${apiUrl}/api/v1/status`)
  return ((await res.json()) as { tables: { otel_traces: number } }).tables.otel_traces
}

describe('throughline serve', () => {
  it('keeps an acknowledged span through SIGKILL and stores it exactly once after a restart', async () => {
    const first = await startServe(dir.path)
    const [batch] = spanBatches(1, 25)
    const res = await postProtobuf(first.otlpUrl, batch!.protobuf)
    expect(res.status).toBe(200)
    first.child.kill('SIGKILL')
    expect((await first.exited()).signal).toBe('SIGKILL')

    const second = await startServe(dir.path)
    const deadline = Date.now() + 20_000
    while ((await storedSpans(second.apiUrl)) < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(await storedSpans(second.apiUrl)).toBe(25)

    // While serve holds the data directory, `sql` explains why it cannot open it.
    const busy = await runThroughline(['sql', 'SELECT 1', '--data-dir', dir.path])
    expect(busy.code).toBe(1)
    expect(busy.stderr).toContain('another process (a running `throughline serve`?) holds it')

    second.child.kill('SIGTERM')
    const exit = await second.exited()
    expect(exit.signal).toBe('SIGTERM')
    expect(second.output()).toContain('stopped cleanly')

    const sql = await runThroughline(['sql', 'SELECT count(), uniqExact(SpanId), min(SpanName) FROM otel_traces', '--data-dir', dir.path, '--format', 'TSV'])
    expect(sql.stderr).toBe('')
    expect(sql.stdout).toBe('25\t25\tstep 0.0\n')
    expect(sql.code).toBe(0)
  })

  it('drains what it acknowledged into ClickHouse when stopped with SIGTERM', async () => {
    const serve = await startServe(dir.path)
    const [batch] = spanBatches(1, 10)
    expect((await postProtobuf(serve.otlpUrl, batch!.protobuf)).status).toBe(200)
    serve.child.kill('SIGTERM')
    await serve.exited()
    const sql = await runThroughline(['sql', 'SELECT count() FROM otel_traces', '--data-dir', dir.path, '--format', 'TSV'])
    expect(sql.stdout).toBe('35\n')
  })
})

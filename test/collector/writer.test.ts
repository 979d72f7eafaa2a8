import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Spool } from '../../collector/spool.ts'
import { backoffDelay, SegmentWriter, type InsertFailure, type WriterEvents } from '../../collector/writer.ts'
import { tempDir } from '../support/temp-dir.ts'

const dirs: Array<{ remove(): void }> = []
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove()
})

async function spoolWithOneSegment(rows: string): Promise<{ spool: Spool; dir: string }> {
  const dir = tempDir('writer')
  dirs.push(dir)
  const spool = await Spool.open(dir.path, { maxBytes: 1_000_000, segmentMaxBytes: 1_000_000, segmentMaxAgeMs: 60_000 })
  await spool.append(Buffer.from(rows))
  await spool.close()
  return { spool, dir: dir.path }
}

function recordingEvents(): WriterEvents & { log: string[] } {
  const log: string[] = []
  return {
    log,
    stored: (rows) => log.push(`stored ${rows}`),
    failed: (kind, _e, attempt) => log.push(`failed ${kind} #${attempt}`),
    quarantined: (segment) => log.push(`quarantined ${segment.name}`),
    tornTail: () => log.push('torn'),
    trouble: (_segment, message) => log.push(`trouble ${message}`),
  }
}

describe('segment writer', () => {
  it('retries the same segment with the same token until the insert succeeds, then deletes it', async () => {
    const { spool, dir } = await spoolWithOneSegment('{"a":1}\n{"a":2}\n')
    const tokens: string[] = []
    const bodies: string[] = []
    let calls = 0
    const events = recordingEvents()
    const writer = new SegmentWriter(
      spool,
      async (_table, body, token) => {
        calls++
        tokens.push(token)
        bodies.push(body.toString())
        if (calls <= 2) throw new Error('connect ECONNREFUSED')
      },
      { table: 'otel_traces', concurrency: 1, retryInitialMs: 5, retryMaxMs: 10, classify: (): InsertFailure => 'retryable', events },
    )
    writer.start()
    await writer.stop(5_000)
    expect(calls).toBe(3)
    expect(new Set(tokens).size).toBe(1)
    expect(bodies).toEqual(['{"a":1}\n{"a":2}\n', '{"a":1}\n{"a":2}\n', '{"a":1}\n{"a":2}\n'])
    expect(events.log).toEqual(['failed retryable #1', 'failed retryable #2', 'stored 2'])
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg'))).toEqual([])
  })

  it('quarantines a segment the store refuses as bad data and goes on', async () => {
    const { spool, dir } = await spoolWithOneSegment('{"a":1}\n')
    const events = recordingEvents()
    const writer = new SegmentWriter(
      spool,
      async () => {
        throw new Error('Cannot parse input')
      },
      { table: 'otel_traces', concurrency: 1, retryInitialMs: 5, retryMaxMs: 10, classify: (): InsertFailure => 'bad_data', events },
    )
    writer.start()
    await writer.stop(5_000)
    expect(events.log[0]).toBe('failed bad_data #1')
    expect(events.log[1]).toMatch(/^quarantined /)
    expect(readdirSync(join(dir, 'dead'))).toHaveLength(1)
  })

  it('leaves the segment on disk when stopped while the store is still down', async () => {
    const { spool, dir } = await spoolWithOneSegment('{"a":1}\n')
    const writer = new SegmentWriter(
      spool,
      async () => {
        throw new Error('connect ECONNREFUSED')
      },
      { table: 'otel_traces', concurrency: 1, retryInitialMs: 20, retryMaxMs: 40, classify: (): InsertFailure => 'retryable', events: recordingEvents() },
    )
    writer.start()
    await writer.stop(100)
    expect(writer.failing).toBe(true)
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg'))).toHaveLength(1)
    expect(spool.sealedCount).toBe(1)
  })

  it('lets other segments through while one keeps failing, and keeps retrying that one', async () => {
    const dir = tempDir('writer')
    dirs.push(dir)
    const spool = await Spool.open(dir.path, { maxBytes: 1_000_000, segmentMaxBytes: 1, segmentMaxAgeMs: 60_000 })
    await spool.append(Buffer.from('{"poison":1}\n')) // each append seals its own segment
    await spool.append(Buffer.from('{"a":1}\n'))
    await spool.append(Buffer.from('{"a":2}\n'))
    const stored: string[] = []
    let poisonAttempts = 0
    const writer = new SegmentWriter(
      spool,
      async (_table, body) => {
        if (body.toString().includes('poison')) {
          poisonAttempts++
          throw new Error('Too many partitions for single INSERT block')
        }
        stored.push(body.toString())
      },
      { table: 'otel_traces', concurrency: 1, retryInitialMs: 10, retryMaxMs: 20, classify: (): InsertFailure => 'retryable', events: recordingEvents() },
    )
    writer.start()
    const deadline = Date.now() + 5_000
    while ((stored.length < 2 || poisonAttempts < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(stored).toEqual(['{"a":1}\n', '{"a":2}\n'])
    expect(poisonAttempts).toBeGreaterThanOrEqual(3)
    await spool.close()
    expect(await writer.stop(50)).toBe(false)
    // The refused segment is still on disk and queued for the next start.
    expect(readdirSync(dir.path).filter((f) => f.endsWith('.seg'))).toHaveLength(1)
    expect(spool.sealedCount).toBe(1)
  })

  it('probes an unavailable store once per pause instead of trying every segment, then stores them all', async () => {
    const dir = tempDir('writer')
    dirs.push(dir)
    const spool = await Spool.open(dir.path, { maxBytes: 1_000_000, segmentMaxBytes: 1, segmentMaxAgeMs: 60_000 })
    for (let i = 0; i < 40; i++) await spool.append(Buffer.from(`{"n":${i}}\n`))
    let down = true
    let attemptsWhileDown = 0
    const stored: string[] = []
    const writer = new SegmentWriter(
      spool,
      async (_table, body) => {
        if (down) {
          attemptsWhileDown++
          throw new Error('connect ECONNREFUSED')
        }
        stored.push(body.toString())
      },
      { table: 'otel_traces', concurrency: 2, retryInitialMs: 40, retryMaxMs: 80, classify: (): InsertFailure => 'retryable', events: recordingEvents() },
    )
    writer.start()
    await new Promise((r) => setTimeout(r, 400))
    down = false
    // 400 ms at 20-80 ms pauses: a dozen probes at most, far fewer than the 40 segments.
    expect(attemptsWhileDown).toBeGreaterThan(1)
    expect(attemptsWhileDown).toBeLessThan(20)
    const deadline = Date.now() + 5_000
    while (stored.length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(stored.length).toBe(40)
    expect(writer.failing).toBe(false)
    await spool.close()
    expect(await writer.stop(1_000)).toBe(true)
  })

  it('backs off exponentially with jitter between half and all of the ceiling, capped at the maximum', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50)
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(100)
    expect(backoffDelay(4, 100, 10_000, () => 1)).toBe(800)
    expect(backoffDelay(20, 100, 10_000, () => 0)).toBe(5_000)
    expect(backoffDelay(20, 100, 10_000, () => 1)).toBe(10_000)
  })
})

import { appendFileSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeSegment } from '../../collector/spool-segment.ts'
import { Spool, type SpoolLimits } from '../../collector/spool.ts'
import { tempDir } from '../support/temp-dir.ts'

const dirs: Array<{ remove(): void }> = []
function spoolDir(): string {
  const dir = tempDir('spool')
  dirs.push(dir)
  return dir.path
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove()
})

const roomy: SpoolLimits = { maxBytes: 10_000_000, segmentMaxBytes: 1_000_000, segmentMaxAgeMs: 60_000 }
const line = (n: number): Buffer => Buffer.from(`{"n":${n}}\n`)

describe('spool', () => {
  it('keeps an acknowledged frame on disk when the process never closes it, and replays it at the next open', async () => {
    const dir = spoolDir()
    const first = await Spool.open(dir, roomy)
    await first.append(Buffer.concat([line(1), line(2)]))
    // No close(): as after SIGKILL. A new spool on the same directory must find the frame.
    const second = await Spool.open(dir, roomy)
    expect(second.sealedCount).toBe(1)
    const segment = await second.takeSealed()
    expect(segment).not.toBeNull()
    const decoded = decodeSegment(readFileSync(segment!.path))
    expect(decoded.body.toString()).toBe('{"n":1}\n{"n":2}\n')
    expect(decoded.rows).toBe(2)
    expect(decoded.frames).toBe(1)
  })

  it('drops a torn tail left by a crash mid-write but keeps every whole frame before it', async () => {
    const dir = spoolDir()
    const spool = await Spool.open(dir, roomy)
    await spool.append(line(1))
    await spool.append(line(2))
    const file = readdirSync(dir).find((f) => f.endsWith('.open'))!
    // Half a frame: a header announcing 100 bytes, followed by 3.
    const header = Buffer.alloc(8)
    header.writeUInt32LE(100, 0)
    appendFileSync(join(dir, file), Buffer.concat([header, Buffer.from('{"n')]))
    const decoded = decodeSegment(readFileSync(join(dir, file)))
    expect(decoded.body.toString()).toBe('{"n":1}\n{"n":2}\n')
    expect(decoded.tornTailBytes).toBe(11)
  })

  it('rejects a frame whose checksum does not match and everything after it', () => {
    const payload = Buffer.from('{"n":1}\n')
    const header = Buffer.alloc(8)
    header.writeUInt32LE(payload.length, 0)
    header.writeUInt32LE(12345, 4)
    const decoded = decodeSegment(Buffer.concat([header, payload]))
    expect(decoded.frames).toBe(0)
    expect(decoded.tornTailBytes).toBe(16)
  })

  it('commits concurrent appends together and loses none of them', async () => {
    const dir = spoolDir()
    const spool = await Spool.open(dir, roomy)
    await Promise.all(Array.from({ length: 200 }, (_, i) => spool.append(line(i))))
    await spool.close()
    const segment = await spool.takeSealed()
    const decoded = decodeSegment(readFileSync(segment!.path))
    expect(decoded.frames).toBe(200)
    expect(decoded.rows).toBe(200)
    const numbers = decoded.body
      .toString()
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { n: number }).n)
      .sort((a, b) => a - b)
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i))
    expect(await spool.takeSealed()).toBeNull()
  })

  it('seals a segment once it reaches the size limit and another once it reaches the age limit', async () => {
    const dir = spoolDir()
    const spool = await Spool.open(dir, { maxBytes: 1_000_000, segmentMaxBytes: 40, segmentMaxAgeMs: 50 })
    await spool.append(Buffer.from('x'.repeat(40) + '\n')) // 49 bytes with the header: over 40
    await spool.append(line(7))
    const bySize = await spool.takeSealed()
    expect(bySize!.bytes).toBe(49)
    const byAge = await spool.takeSealed() // waits for the age timer
    expect(decodeSegment(readFileSync(byAge!.path)).body.toString()).toBe('{"n":7}\n')
    await spool.close()
  })

  it('counts bytes until the writer releases them and reports when the bound is reached', async () => {
    const dir = spoolDir()
    const spool = await Spool.open(dir, { maxBytes: 100, segmentMaxBytes: 10, segmentMaxAgeMs: 60_000 })
    await spool.append(Buffer.from('a'.repeat(50)))
    expect(spool.bytes).toBe(58)
    expect(spool.hasRoomFor(42)).toBe(true)
    expect(spool.hasRoomFor(43)).toBe(false)
    const segment = await spool.takeSealed()
    await spool.release(segment!)
    expect(spool.bytes).toBe(0)
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg'))).toEqual([])
    await spool.close()
  })

  it('moves a quarantined segment to dead/ instead of deleting it', async () => {
    const dir = spoolDir()
    const spool = await Spool.open(dir, { ...roomy, segmentMaxBytes: 1 })
    await spool.append(line(1))
    const segment = await spool.takeSealed()
    const kept = await spool.quarantine(segment!)
    expect(kept).toBe(join(dir, 'dead', `${segment!.name}.seg`))
    expect(decodeSegment(readFileSync(kept)).rows).toBe(1)
    expect(spool.bytes).toBe(0)
    await spool.close()
  })

  it('refuses appends after close', async () => {
    const spool = await Spool.open(spoolDir(), roomy)
    await spool.close()
    await expect(spool.append(line(1))).rejects.toThrow('spool is closed')
  })
})

// Backpressure must not cost memory: with its spool bound reached, `throughline serve`
// refuses requests before reading their bodies, so offering it 1 GB more moves its resident
// memory by tens of MB at most (socket buffers, allocator slack), not by the gigabyte. Measured on the real process, apart from the sender.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startServe } from '../support/serve-process.ts'
import { tempDir } from '../support/temp-dir.ts'

const dir = tempDir('serve-memory')
afterAll(() => dir.remove())

function residentMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
  return kb / 1024
}

async function offer(url: string, requests: number, body: Buffer): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < requests; i++) {
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body })
    await res.arrayBuffer()
    statuses.push(res.status)
  }
  return statuses
}

describe('throughline serve under backpressure', () => {
  it('refuses with 429 before reading the body and keeps its memory flat', async () => {
    // A spool bound of 2 bytes: every request is over it, as when the spool is full.
    const config = join(dir.path, 'throughline.yaml')
    writeFileSync(config, 'spool:\n  maxBytes: 2\n')
    const serve = await startServe(join(dir.path, 'data'), ['--config', config])
    try {
      const body = Buffer.alloc(1_000_000, 7)
      await offer(serve.otlpUrl, 50, body) // warm-up: connections, compiled code
      const before = residentMiB(serve.child.pid!)
      const statuses = await offer(serve.otlpUrl, 1000, body)
      const after = residentMiB(serve.child.pid!)
      expect(new Set(statuses)).toEqual(new Set([429]))
      expect(after - before).toBeLessThan(100)
    } finally {
      serve.child.kill('SIGTERM')
      await serve.exited()
    }
  })
})

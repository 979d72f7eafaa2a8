// `throughline report incident|incidents` on an embedded store: the same report as the API,
// printed or written to --out, and the exit codes of a malformed and of an unknown episode.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { main } from '../../cli/main.ts'
import { resolveConfig } from '../../core/config.ts'
import { createStoreClient, insertJsonEachRow, migrate } from '../../store/index.ts'
import { tempDir } from '../support/temp-dir.ts'

const MIN = 60_000
const S = Date.parse('2026-11-21T14:00:00Z')
const FP = 'feedfacecafe0001'
const dir = tempDir('reports_cli')
const emptyDir = join(dir.path, 'empty')
const flags = ['--data-dir', join(dir.path, 'data'), '--log-level', 'silent']
const dateTime = (atMs: number): string => new Date(atMs).toISOString().replace('T', ' ').replace('Z', '')

beforeAll(async () => {
  mkdirSync(emptyDir, { recursive: true })
  // No rules or process definitions: the report stands on the stored rows alone.
  process.env.THROUGHLINE_RULES_DIR = emptyDir
  process.env.THROUGHLINE_PROCESSES_DIR = emptyDir
  const config = resolveConfig({ dataDir: join(dir.path, 'data') })
  const store = createStoreClient(config)
  await migrate(store, config)
  const transition = (atMs: number, from: string, to: string, reason: string): string =>
    JSON.stringify({
      At: dateTime(atMs),
      Fingerprint: FP,
      EpisodeId: `${FP}@${S}`,
      RuleId: 'bank_silent',
      Labels: { system: 'BANK' },
      FromState: from,
      ToState: to,
      Reason: reason,
      EventTimeMs: atMs,
      Value: null,
      Details: 'silent',
    })
  // Fired at once at S, resolved at S+30m.
  const rows = [transition(S, 'inactive', 'firing', 'breach'), transition(S + 30 * MIN, 'firing', 'resolved', 'recovered')]
  await insertJsonEachRow(store, 'alert_transitions', `${rows.join('\n')}\n`, { tag: 'test.transitions' })
  await store.close()
}, 120_000)

afterAll(() => {
  delete process.env.THROUGHLINE_RULES_DIR
  delete process.env.THROUGHLINE_PROCESSES_DIR
  dir.remove()
})

describe('throughline report', () => {
  it('writes the incident report of an episode to --out, and prints the period as JSON', async () => {
    const out = join(dir.path, 'incident.md')
    process.exitCode = 0
    await main(['report', 'incident', '--fingerprint', FP, '--start', new Date(S).toISOString(), '--out', out, ...flags])
    expect(process.exitCode).toBe(0)
    const markdown = readFileSync(out, 'utf8')
    expect(markdown).toContain('# Incident review: WARNING bank\\_silent')
    expect(markdown).toContain('| Integration | BANK |')
    // Fired -> resolved: 30 min.
    expect(markdown).toContain('| Time to resolve (MTTR) | 30 min (1800 s) | firing | resolved |')

    const printed: string[] = []
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk))
      return true
    })
    try {
      await main(['report', 'incidents', '--from', String(S - MIN), '--to', String(S + MIN), '--format', 'json', ...flags])
    } finally {
      write.mockRestore()
    }
    expect((JSON.parse(printed.join('')) as { totals: unknown }).totals).toEqual({
      episodes: 1,
      acknowledged: 0,
      mttaSeconds: null,
      resolved: 1,
      mttrSeconds: 1800,
    })
  }, 60_000)

  it('exits 2 naming the flag for a malformed start, and 1 for an episode that does not exist', async () => {
    const errors: string[] = []
    const error = vi.spyOn(console, 'error').mockImplementation((text: string) => void errors.push(text))
    try {
      process.exitCode = 0
      await main(['report', 'incident', '--fingerprint', FP, '--start', 'noon', ...flags])
      expect(process.exitCode).toBe(2)
      process.exitCode = 0
      await main(['report', 'incident', '--fingerprint', FP, '--start', String(S + 1), ...flags])
      expect(process.exitCode).toBe(1)
    } finally {
      error.mockRestore()
      process.exitCode = 0
    }
    expect(errors[0]).toContain('start: expected an RFC 3339 time')
    expect(errors[1]).toContain(`no episode starting at ${new Date(S + 1).toISOString()}`)
  }, 60_000)
})

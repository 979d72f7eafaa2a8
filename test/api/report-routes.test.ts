// Incident reports through the API: one episode as JSON, Markdown and HTML, the incidents of a
// period, and the one error shape for a malformed fingerprint, start, format or period and for
// an episode that does not exist. The episode is written as the engine writes its rows.
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApiApp } from '../../api/index.ts'
import { insertJsonEachRow } from '../../store/index.ts'
import { openMigratedStore, type MigratedStore } from '../support/migrated-store.ts'

const MIN = 60_000
const S = Date.parse('2026-11-20T09:00:00Z')
const FP = '0123456789abcdef'
const EPISODE = `${FP}@${S}`
let opened: MigratedStore
let api: FastifyInstance

const dateTime = (atMs: number): string => new Date(atMs).toISOString().replace('T', ' ').replace('Z', '')

beforeAll(async () => {
  opened = await openMigratedStore('api_report_routes')
  const labels = { integration: 'erp<script>alert(1)</script>' }
  const transition = (atMs: number, from: string, to: string, reason: string): string =>
    JSON.stringify({
      At: dateTime(atMs),
      Fingerprint: FP,
      EpisodeId: EPISODE,
      RuleId: 'erp_errors',
      Labels: labels,
      FromState: from,
      ToState: to,
      Reason: reason,
      EventTimeMs: atMs,
      Value: 0.3,
      Details: 'error rate 0.3',
    })
  // Pending at S, firing at S+2m, resolved at S+12m; acknowledged at S+6m.
  const rows = [
    transition(S, 'inactive', 'pending', 'breach'),
    transition(S + 2 * MIN, 'pending', 'firing', 'held_for'),
    transition(S + 12 * MIN, 'firing', 'resolved', 'recovered'),
  ]
  await insertJsonEachRow(opened.store, 'alert_transitions', `${rows.join('\n')}\n`, { tag: 'test.transitions' })
  const ack = { At: dateTime(S + 6 * MIN), Action: 'ack', Actor: 'ops', Fingerprint: FP, EpisodeId: EPISODE, SilenceId: '', Text: '', Details: '' }
  await insertJsonEachRow(opened.store, 'alert_actions', `${JSON.stringify(ack)}\n`, { tag: 'test.ack' })
  api = await buildApiApp({ store: opened.store, logger: pino({ level: 'silent' }), publicUrl: 'https://tl.example' })
}, 120_000)

afterAll(async () => {
  await api.close()
  await opened.close()
})

const reportUrl = (query = '', fingerprint = FP, start = String(S)): string => `/api/v1/alerts/${fingerprint}/episodes/${start}/report${query}`

describe('GET /api/v1/alerts/:fingerprint/episodes/:start/report', () => {
  it('answers the report as JSON by default, with durations from the stored rows', async () => {
    const res = await api.inject({ method: 'GET', url: reportUrl() })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    const body = res.json<{ episodeId: string; status: string; durations: Record<string, number | null>; links: { report: string } }>()
    expect(body).toMatchObject({ episodeId: EPISODE, status: 'resolved', links: { report: `https://tl.example/api/v1/alerts/${FP}/episodes/${S}/report` } })
    // Detect S -> S+2m: 120 s; acknowledge S+2m -> S+6m: 240 s; resolve S+2m -> S+12m: 600 s;
    // fired -> resolved at one evaluation: impact S -> S+12m: 720 s, 0 s from cleared to resolved.
    expect(body.durations).toEqual({
      timeToDetectSeconds: 120,
      timeToNotifySeconds: null,
      timeToAcknowledgeSeconds: 240,
      timeToResolveSeconds: 600,
      impactDurationSeconds: 720,
      clearedToResolvedSeconds: 0,
    })
  })

  it('answers Markdown and a self-contained HTML page in which the label stays text; the start may be RFC 3339', async () => {
    const md = await api.inject({ method: 'GET', url: reportUrl('?format=md', FP, new Date(S).toISOString()) })
    expect(md.statusCode).toBe(200)
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8')
    expect(md.body).toContain('# Incident review: WARNING erp\\_errors')
    expect(md.body).toContain('| Integration | erp\\<script\\>alert(1)\\</script\\> |')
    const html = await api.inject({ method: 'GET', url: reportUrl('?format=html') })
    expect(html.statusCode).toBe(200)
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(html.body).toContain('<td>erp&lt;script&gt;alert(1)&lt;/script&gt;</td>')
    expect(html.body).not.toContain('<script')
  })

  it('answers 400 naming the field for a malformed fingerprint, start or format, and 404 for an episode that does not exist', async () => {
    const cases = [
      { url: reportUrl('', 'NOT-A-FINGERPRINT'), status: 400, code: 'TL_BAD_REQUEST', message: 'fingerprint' },
      { url: reportUrl('', FP, 'last-tuesday'), status: 400, code: 'TL_BAD_REQUEST', message: 'start: expected an RFC 3339 time' },
      { url: reportUrl('?format=pdf'), status: 400, code: 'TL_BAD_REQUEST', message: 'format' },
      { url: reportUrl('', FP, String(S + 1)), status: 404, code: 'TL_NOT_FOUND', message: `its episodes start at ${new Date(S).toISOString()} (${S})` },
      { url: reportUrl('', 'ffffffffffffffff'), status: 404, code: 'TL_NOT_FOUND', message: 'the alert has no episodes' },
    ]
    for (const c of cases) {
      const res = await api.inject({ method: 'GET', url: c.url })
      expect([c.url, res.statusCode]).toEqual([c.url, c.status])
      const body = res.json<{ code: string; message: string }>()
      expect(body.code).toBe(c.code)
      expect(body.message).toContain(c.message)
    }
  })
})

describe('GET /api/v1/reports/incidents', () => {
  it('answers the period with MTTA and MTTR, in each format, and 400 for a period that ends before it starts', async () => {
    const from = new Date(S - 60 * MIN).toISOString()
    const to = new Date(S + 60 * MIN).toISOString()
    const res = await api.inject({ method: 'GET', url: `/api/v1/reports/incidents?from=${from}&to=${to}` })
    expect(res.statusCode).toBe(200)
    expect(res.json<{ totals: unknown }>().totals).toEqual({ episodes: 1, acknowledged: 1, mttaSeconds: 240, resolved: 1, mttrSeconds: 600 })
    const md = await api.inject({ method: 'GET', url: `/api/v1/reports/incidents?from=${from}&to=${to}&format=md` })
    expect(md.body).toContain('| erp\\_errors | - | 1 | 1 | 4 min (240 s) | 1 | 10 min (600 s) |')
    const html = await api.inject({ method: 'GET', url: `/api/v1/reports/incidents?from=${from}&to=${to}&format=html` })
    expect(html.body).toContain(`<a href="https://tl.example/api/v1/alerts/${FP}/episodes/${S}/report?format=html">report</a>`)
    const backwards = await api.inject({ method: 'GET', url: `/api/v1/reports/incidents?from=${to}&to=${from}` })
    expect(backwards.statusCode).toBe(400)
    expect(backwards.json()).toMatchObject({ code: 'TL_BAD_REQUEST', message: expect.stringContaining('from: must be before to') })
    const badTime = await api.inject({ method: 'GET', url: '/api/v1/reports/incidents?from=soon' })
    expect(badTime.json()).toMatchObject({ code: 'TL_BAD_REQUEST', message: expect.stringContaining('from: expected an RFC 3339 time') })
  })
})

describe('an episode that cleared while pending', () => {
  it('is reported as dropped: it never fired, so there is nothing to review', async () => {
    const P = S + 120 * MIN
    const row = (atMs: number, episode: string, from: string, to: string, reason: string): string =>
      JSON.stringify({
        At: dateTime(atMs),
        Fingerprint: FP,
        EpisodeId: episode,
        RuleId: 'erp_errors',
        Labels: {},
        FromState: from,
        ToState: to,
        Reason: reason,
        EventTimeMs: atMs,
        Value: 0.1,
        Details: '',
      })
    // The engine writes the drop with no episode id: the record is inactive by then.
    const rows = [row(P, `${FP}@${P}`, 'inactive', 'pending', 'breach'), row(P + MIN, '', 'pending', 'inactive', 'cleared_while_pending')]
    await insertJsonEachRow(opened.store, 'alert_transitions', `${rows.join('\n')}\n`, { tag: 'test.dropped' })
    const res = await api.inject({ method: 'GET', url: reportUrl('', FP, String(P)) })
    const body = res.json<{
      status: string
      timeline: Array<{ at: string; kind: string }>
      review: unknown[]
      durations: { timeToDetectSeconds: number | null }
    }>()
    expect(body.status).toBe('dropped')
    expect(body.timeline.map((e) => [e.at, e.kind])).toEqual([
      [new Date(P).toISOString(), 'impact_start'],
      [new Date(P).toISOString(), 'pending'],
      [new Date(P + MIN).toISOString(), 'dropped'],
    ])
    expect(body.durations.timeToDetectSeconds).toBeNull()
    expect(body.review).toEqual([])
  })
})

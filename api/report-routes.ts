// Incident review reports through the API: one alert episode (fingerprint + the start of its
// impact) and the incidents of a period, as JSON, Markdown (for a postmortem document) or a
// self-contained HTML page. The CLI's `throughline report` builds the same reports.
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import type { ProcessDefinition } from '../processes/index.ts'
import {
  incidentReport,
  incidentsReport,
  parseReportTime,
  renderReport,
  REPORT_FORMATS,
  type ReportContext,
  type ReportFormat,
  type ReportRunbook,
  type Rule,
} from '../rules/index.ts'
import type { StoreConnection } from '../store/index.ts'
import { runbookForAlert, type Runbook } from '../triage/index.ts'
import { ErrorBodySchema } from './error-body.ts'

export interface ReportRouteDeps {
  readonly store: StoreConnection
  readonly rules: readonly Rule[]
  readonly definitions: readonly ProcessDefinition[]
  readonly runbooks: readonly Runbook[]
  /** The API as people reach it, for links in reports ('' gives relative links). */
  readonly baseUrl: string
}

/** What a report needs to know beside the store; the CLI builds it the same way. */
export function reportContext(deps: Omit<ReportRouteDeps, 'store'>): ReportContext {
  return {
    rules: deps.rules,
    definitions: deps.definitions,
    baseUrl: deps.baseUrl,
    runbookOf: (alert): ReportRunbook | undefined => {
      const runbook = runbookForAlert(deps.runbooks, alert)
      if (runbook === undefined) return undefined
      return {
        id: runbook.id,
        title: runbook.title,
        url: `${deps.baseUrl}/api/v1/runbooks/${runbook.id}?format=html`,
        stepTitles: Object.fromEntries(runbook.steps.map((s) => [s.name, s.title])),
      }
    },
  }
}

const FormatQuery = Type.Optional(
  Type.Union(
    REPORT_FORMATS.map((f) => Type.Literal(f)),
    { description: 'json (default), md (Markdown for a postmortem document) or html (a self-contained page)' },
  ),
)
const Time = (description: string) => Type.String({ minLength: 1, description: `${description}: RFC 3339, or milliseconds since the epoch` })
const ReportBody = Type.Union([Type.Object({}, { additionalProperties: true }), Type.String()], {
  description: 'the report: a JSON object, or Markdown / HTML text by ?format',
})

export async function reportRoutes(app: FastifyInstance, deps: ReportRouteDeps): Promise<void> {
  const context = reportContext(deps)
  app.get<{ Params: { fingerprint: string; start: string }; Querystring: { format?: ReportFormat } }>(
    '/api/v1/alerts/:fingerprint/episodes/:start/report',
    {
      schema: {
        params: Type.Object({ fingerprint: Type.String({ pattern: '^[0-9a-f]{16}$' }), start: Time('the start of the episode (its impact start)') }),
        querystring: Type.Object({ format: FormatQuery }, { additionalProperties: false }),
        tags: ['reports'],
        summary:
          'Incident review report of one alert episode: timeline, durations (detect, notify, MTTA, MTTR), business impact, runbook diagnostics, what to review',
        response: { 200: ReportBody, 400: ErrorBodySchema, 404: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const report = await incidentReport(deps.store, request.params.fingerprint, request.params.start, context)
      const rendered = renderReport(report, request.query.format ?? 'json')
      return reply.type(rendered.contentType).send(rendered.body)
    },
  )
  app.get<{ Querystring: { from?: string; to?: string; format?: ReportFormat } }>(
    '/api/v1/reports/incidents',
    {
      schema: {
        querystring: Type.Object(
          {
            from: Type.Optional(Time('period start, inclusive (default: 7 days before to)')),
            to: Type.Optional(Time('period end, exclusive (default: now)')),
            format: FormatQuery,
          },
          { additionalProperties: false },
        ),
        tags: ['reports'],
        summary: 'The incidents of a period: every episode that fired, with counts, MTTA and MTTR per rule, per process and in total',
        response: { 200: ReportBody, 400: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const to = request.query.to ?? new Date().toISOString()
      const from = request.query.from ?? String(parseReportTime('to', to) - 7 * 86_400_000)
      const report = await incidentsReport(deps.store, { from, to }, context)
      const rendered = renderReport(report, request.query.format ?? 'json')
      return reply.type(rendered.contentType).send(rendered.body)
    },
  )
}

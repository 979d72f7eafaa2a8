// Incident review reports: one alert episode told as a postmortem needs it (timeline,
// durations, business impact from the KPI functions, runbook diagnostics, what to review),
// and the incidents of a period with MTTA and MTTR; as JSON, Markdown or HTML.
import type { IncidentReport, IncidentsReport } from './model.ts'
import { reportHtml } from './render-html.ts'
import { incidentMarkdown, incidentsMarkdown } from './render-markdown.ts'

export { incidentReport, episodeReportPath } from './incident-report.ts'
export { incidentsReport } from './period-report.ts'
export { parseReportTime } from './episode-key.ts'
export { DEFAULT_ACK_TARGET_SECONDS } from './review-points.ts'
export { incidentMarkdown, incidentsMarkdown } from './render-markdown.ts'
export { reportHtml } from './render-html.ts'
export type * from './model.ts'

export const REPORT_FORMATS = ['json', 'md', 'html'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export interface RenderedReport {
  readonly contentType: string
  readonly body: string
}

/** One report in one format: what the API sends and the CLI prints or writes. */
export function renderReport(report: IncidentReport | IncidentsReport, format: ReportFormat): RenderedReport {
  const isIncident = 'episodeId' in report
  const text = isIncident ? incidentMarkdown(report) : incidentsMarkdown(report)
  switch (format) {
    case 'json':
      return { contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(report, null, 2)}\n` }
    case 'md':
      return { contentType: 'text/markdown; charset=utf-8', body: text }
    case 'html':
      return {
        contentType: 'text/html; charset=utf-8',
        body: reportHtml(isIncident ? `Incident review: ${report.title}` : `Incidents ${report.from} to ${report.to}`, text),
      }
  }
}

// `throughline report incident|incidents`: the incident review report of one alert episode,
// or the incidents of a period, built by the same code as the API's report routes (rules'
// report builder with the API's report context) and printed or written to a file.
import { writeFileSync } from 'node:fs'
import { reportContext } from '../api/index.ts'
import type { Config } from '../core/config.ts'
import { ConfigError } from '../core/errors.ts'
import { incidentReport, incidentsReport, parseReportTime, renderReport, REPORT_FORMATS, type ReportFormat } from '../rules/index.ts'
import { createStoreClient, type StoreConnection } from '../store/index.ts'
import { loadDefinitionsAtStart } from './definitions-at-start.ts'
import { loadRulesAtStart } from './rules-at-start.ts'
import { loadRunbooksAtStart } from './runbooks-at-start.ts'

export interface ReportFlags {
  readonly format?: string
  readonly out?: string
}

export interface IncidentFlags extends ReportFlags {
  readonly fingerprint: string
  readonly start: string
}

export interface IncidentsFlags extends ReportFlags {
  readonly from?: string
  readonly to?: string
}

function formatOf(flags: ReportFlags): ReportFormat {
  const format = flags.format ?? 'md'
  const known = REPORT_FORMATS.find((f) => f === format)
  if (known === undefined) throw new ConfigError(`--format: expected one of ${REPORT_FORMATS.join(', ')}, got ${format}`)
  return known
}

async function withReportStore(
  config: Readonly<Config>,
  flags: ReportFlags,
  build: (store: StoreConnection, context: ReturnType<typeof reportContext>) => Promise<Parameters<typeof renderReport>[0]>,
): Promise<void> {
  const format = formatOf(flags)
  const definitions = await loadDefinitionsAtStart(config)
  const rules = await loadRulesAtStart(config, definitions)
  const runbooks = await loadRunbooksAtStart()
  const store = createStoreClient(config)
  try {
    const report = await build(store, reportContext({ rules, definitions, runbooks, baseUrl: config.publicUrl }))
    const { body } = renderReport(report, format)
    if (flags.out === undefined) process.stdout.write(body.endsWith('\n') ? body : `${body}\n`)
    else writeFileSync(flags.out, body)
  } finally {
    await store.close()
  }
}

export async function reportIncidentCommand(config: Readonly<Config>, flags: IncidentFlags): Promise<void> {
  await withReportStore(config, flags, (store, context) => incidentReport(store, flags.fingerprint, flags.start, context))
}

export async function reportIncidentsCommand(config: Readonly<Config>, flags: IncidentsFlags): Promise<void> {
  const to = flags.to ?? new Date().toISOString()
  const from = flags.from ?? String(parseReportTime('--to', to) - 7 * 86_400_000)
  await withReportStore(config, flags, (store, context) => incidentsReport(store, { from, to }, context))
}

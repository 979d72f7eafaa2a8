// `throughline import FILE --process NAME`: loads a historical event log (XES, CSV, OCEL 2.0)
// into business_events, with a progress line on stderr and a summary on stdout. The CSV
// column mapping comes from --mapping FILE and/or --csv-* flags (flags win).
import { basename } from 'node:path'
import type { Config } from '../core/config.ts'
import { importEventLog, readCsvMappingFile, type CsvMapping, type EventLogFormat, type ImportProgress } from '../processes/index.ts'
import { createStoreClient, migrate } from '../store/index.ts'
import { loadDefinitionsAtStart } from './definitions-at-start.ts'

export interface ImportFlags {
  readonly process: string
  readonly processVersion?: string
  readonly format?: EventLogFormat
  readonly caseKey?: string
  readonly timeZone?: string
  readonly mapping?: string
  readonly csvCase?: string
  readonly csvActivity?: string
  readonly csvTimestamp?: string
  readonly csvStartTimestamp?: string
  readonly csvLifecycle?: string
  readonly csvResource?: string
  readonly csvTimestampFormat?: string
  readonly csvDelimiter?: ',' | ';' | '\t' | 'auto'
}

async function csvMapping(flags: ImportFlags): Promise<Partial<CsvMapping>> {
  const fromFile = flags.mapping === undefined ? {} : await readCsvMappingFile(flags.mapping)
  const fromFlags: Partial<CsvMapping> = {
    ...(flags.csvCase !== undefined ? { case: flags.csvCase } : {}),
    ...(flags.csvActivity !== undefined ? { activity: flags.csvActivity } : {}),
    ...(flags.csvTimestamp !== undefined ? { timestamp: flags.csvTimestamp } : {}),
    ...(flags.csvStartTimestamp !== undefined ? { startTimestamp: flags.csvStartTimestamp } : {}),
    ...(flags.csvLifecycle !== undefined ? { lifecycle: flags.csvLifecycle } : {}),
    ...(flags.csvResource !== undefined ? { resource: flags.csvResource } : {}),
    ...(flags.csvTimestampFormat !== undefined ? { timestampFormat: flags.csvTimestampFormat } : {}),
    ...(flags.csvDelimiter !== undefined ? { delimiter: flags.csvDelimiter } : {}),
  }
  return { ...fromFile, ...fromFlags }
}

/** A progress line redrawn in place on a terminal, or a line per 10 % in a log. */
function progressReporter(file: string): (p: ImportProgress) => void {
  let lastDecile = -1
  return (p) => {
    const share = p.total > 0 ? Math.min(1, p.done / p.total) : 0
    const text = `importing ${file}: ${(share * 100).toFixed(0)}% (${p.events.toLocaleString('en')} events)`
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${text}`)
      return
    }
    const decile = Math.floor(share * 10)
    if (decile > lastDecile) {
      lastDecile = decile
      process.stderr.write(`${text}\n`)
    }
  }
}

export async function importCommand(config: Readonly<Config>, file: string, flags: ImportFlags): Promise<void> {
  const store = createStoreClient(config)
  try {
    await migrate(store, config)
    // With a definition of the process, imported events are correlated into its instances.
    const definition = (await loadDefinitionsAtStart(config)).find((d) => d.name === flags.process)
    const summary = await importEventLog(store, file, {
      process: flags.process,
      ...(definition !== undefined ? { definition } : {}),
      ...(flags.processVersion !== undefined ? { processVersion: flags.processVersion } : {}),
      read: {
        ...(flags.format !== undefined ? { format: flags.format } : {}),
        ...(flags.caseKey !== undefined ? { caseKeyType: flags.caseKey } : {}),
        ...(flags.timeZone !== undefined ? { timeZone: flags.timeZone } : {}),
        csv: await csvMapping(flags),
        warn: (w) => process.stderr.write(`warning: ${w.message}\n`),
      },
      progress: progressReporter(basename(file)),
    })
    if (process.stderr.isTTY) process.stderr.write('\n')
    console.log(
      `imported ${summary.events.toLocaleString('en')} events from ${basename(file)} into process ${flags.process} ` +
        `in ${summary.seconds.toFixed(1)} s (${summary.batches} ${summary.batches === 1 ? 'batch' : 'batches'}; importing the same file again changes nothing)`,
    )
  } finally {
    await store.close()
  }
}

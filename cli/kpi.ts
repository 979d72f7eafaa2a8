// `throughline kpi summary|map --process NAME`: prints what the matching API endpoint answers
// (the same builder runs), as JSON for scripts and cron jobs, or as a short table.
import { caseSummaryAnswer, processMapAnswer, rootKeyResolver, type LogQuery } from '../api/index.ts'
import { loadDefinitionsAtStart } from './definitions-at-start.ts'
import type { Config } from '../core/config.ts'
import { createStoreClient } from '../store/index.ts'

export type KpiName = 'summary' | 'map'

export interface KpiFlags {
  readonly process: string
  readonly rootKey?: string
  readonly from?: string
  readonly to?: string
  readonly json?: boolean
}

function queryOf(flags: KpiFlags): LogQuery {
  return {
    ...(flags.rootKey !== undefined ? { root_key: flags.rootKey } : {}),
    ...(flags.from !== undefined ? { from: flags.from } : {}),
    ...(flags.to !== undefined ? { to: flags.to } : {}),
  }
}

export async function kpiCommand(config: Readonly<Config>, kpi: KpiName, flags: KpiFlags): Promise<void> {
  const rootKeyOf = rootKeyResolver(await loadDefinitionsAtStart(config))
  const store = createStoreClient(config)
  try {
    if (kpi === 'summary') {
      const answer = await caseSummaryAnswer(store, flags.process, queryOf(flags), rootKeyOf(flags.process))
      if (flags.json === true) return void console.log(JSON.stringify(answer, null, 2))
      const d = answer.durationSeconds
      console.log(
        `${answer.process}: ${answer.cases} instances, ${answer.events} events, ${answer.activities} activities${answer.lowSample ? ' (low sample)' : ''}`,
      )
      console.log(`duration s: min ${d.min ?? '-'}  p50 ${d.p50 ?? '-'}  p90 ${d.p90 ?? '-'}  max ${d.max ?? '-'}`)
      return
    }
    const answer = await processMapAnswer(store, flags.process, queryOf(flags), rootKeyOf(flags.process))
    if (flags.json === true) return void console.log(JSON.stringify(answer, null, 2))
    for (const e of answer.edges) console.log(`${e.count}\t${e.from} -> ${e.to}\tp50 ${e.gapSeconds.p50} s`)
  } finally {
    await store.close()
  }
}

// `throughline processes backfill --process NAME --from T --to T`: derives business events
// again from the raw otel_* rows of a time range with the current definition (after changing
// it), without re-ingestion. Progress on stderr, a summary on stdout.
import type { Config } from '../core/config.ts'
import { ConfigError } from '../core/errors.ts'
import { backfill } from '../processes/index.ts'
import { createStoreClient, migrate } from '../store/index.ts'
import { loadDefinitionsAtStart } from './definitions-at-start.ts'

export interface BackfillFlags {
  readonly process: string
  readonly from: string
  readonly to: string
}

function instantNs(flag: string, text: string): bigint {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new ConfigError(`${flag}: expected an RFC 3339 time such as 2026-11-01T00:00:00Z, got ${JSON.stringify(text)}`)
  return BigInt(ms) * 1_000_000n
}

export async function backfillCommand(config: Readonly<Config>, flags: BackfillFlags): Promise<void> {
  const definitions = await loadDefinitionsAtStart(config)
  const definition = definitions.find((d) => d.name === flags.process)
  if (definition === undefined) {
    const known = definitions.map((d) => d.name).join(', ') || '(none)'
    throw new ConfigError(`--process: no definition named ${JSON.stringify(flags.process)} in ${config.processesDir}; there are: ${known}`)
  }
  const fromNs = instantNs('--from', flags.from)
  const toNs = instantNs('--to', flags.to)
  if (fromNs >= toNs) throw new ConfigError('--from: must be before --to')
  const store = createStoreClient(config)
  try {
    await migrate(store, config)
    const started = performance.now()
    const result = await backfill(store, definition, {
      fromNs,
      toNs,
      progress: ({ throughNs, events }) => process.stderr.write(`through ${new Date(Number(throughNs / 1_000_000n)).toISOString()}: ${events} events\n`),
    })
    console.log(
      `derived ${result.events.toLocaleString('en')} business events of ${definition.name} version ${definition.version} from ${result.records.toLocaleString('en')} rows ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
  } finally {
    await store.close()
  }
}

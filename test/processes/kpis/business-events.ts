// Test data for the instance KPIs: business events written to business_events as the deriver
// and the importer write them, with business and observed times chosen by the test.
import { createHash } from 'node:crypto'
import { businessEventRowJson, checkDefinitionTexts, type BusinessEventRow, type ProcessDefinition } from '../../../processes/index.ts'
import { insertJsonEachRow, type StoreConnection } from '../../../store/index.ts'

export const DAY_MS = 86_400_000
export const HOUR_MS = 3_600_000
export const ms = (text: string): number => Date.parse(text)
export const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n

export interface EventSpec {
  readonly milestone: string
  readonly atMs: number
  readonly keys: Readonly<Record<string, string>>
  readonly observedMs?: number
  readonly status?: string
  readonly system?: string
  readonly attrs?: Readonly<Record<string, string>>
  readonly operationId?: string
  readonly attempt?: number
  readonly id?: string
}

export function definitionFrom(yaml: string): ProcessDefinition {
  const load = checkDefinitionTexts([{ file: 'test.yaml', text: yaml }])
  if (!load.ok) throw new Error(JSON.stringify(load.problems, null, 2))
  return load.definitions[0]!
}

export async function insertEvents(store: StoreConnection, definition: ProcessDefinition, specs: readonly EventSpec[]): Promise<void> {
  const rows: BusinessEventRow[] = specs.map((e) => ({
    process: definition.name,
    processVersion: definition.version,
    eventId:
      e.id ??
      createHash('sha256')
        .update(JSON.stringify([e.milestone, e.atMs, e.keys, e.status, e.attempt, e.operationId]))
        .digest('hex')
        .slice(0, 24),
    tsNs: ns(e.atMs),
    observedNs: ns(e.observedMs ?? e.atMs),
    milestone: e.milestone,
    status: e.status ?? 'ok',
    system: e.system ?? '',
    keys: e.keys,
    operationId: e.operationId ?? '',
    attempt: e.attempt ?? 0,
    attrs: e.attrs ?? {},
    traceId: '',
    spanId: '',
    links: [],
    source: 'event',
  }))
  for (let i = 0; i < rows.length; i += 50_000) {
    await insertJsonEachRow(
      store,
      'business_events',
      rows
        .slice(i, i + 50_000)
        .map(businessEventRowJson)
        .join(''),
      { tag: 'test.business-events' },
    )
  }
}

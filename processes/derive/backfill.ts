// `throughline processes backfill --from --to`: derives a time range of raw rows again with the
// current definition (its version tags the events), in slices so memory stays bounded. Rows
// written before the deriver existed, or by a stock Collector while throughline was down, are
// reached by their Timestamp.
import type { StoreConnection } from '../../store/index.ts'
import type { ProcessDefinition } from '../definitions/index.ts'
import { rebuildInstanceFacts } from '../kpis/facts-rollup.ts'
import { derivePass } from './derive-pass.ts'

export interface BackfillOptions {
  readonly fromNs: bigint
  readonly toNs: bigint
  /** Slice length; one derivation pass each. */
  readonly sliceNs?: bigint
  readonly progress?: (done: { readonly throughNs: bigint; readonly events: number }) => void
}

export interface BackfillResult {
  readonly records: number
  readonly events: number
  readonly slices: number
}

const HOUR_NS = 3_600_000_000_000n

export async function backfill(store: StoreConnection, definition: ProcessDefinition, options: BackfillOptions): Promise<BackfillResult> {
  const slice = options.sliceNs ?? HOUR_NS
  let records = 0
  let events = 0
  let slices = 0
  for (let from = options.fromNs; from < options.toNs; from += slice) {
    const to = from + slice < options.toNs ? from + slice : options.toNs
    const result = await derivePass(store, definition, { by: 'time', fromNs: from, toNs: to }, { replace: true, refreshFacts: false })
    records += result.records
    events += result.events
    slices++
    options.progress?.({ throughNs: to, events })
  }
  // One rebuild of the facts rollup for the whole range, not one refresh per slice.
  if (events > 0) await rebuildInstanceFacts(store, definition, options.fromNs)
  return { records, events, slices }
}

// The deriver: spans, log records and posted events -> business events and instances.
export { derivePass, type DerivePassOptions, type DerivePassResult } from './derive-pass.ts'
export { startDeriver, type Deriver, type DeriverOptions } from './deriver.ts'
export { backfill, type BackfillOptions, type BackfillResult } from './backfill.ts'
export type { SourceWindow } from './source-window.ts'
export { businessEventRowJson, type BusinessEventRow } from './business-event-row.ts'

// The demo's scenarios: what each one is (process, description, the faults it simulates, the
// system whose clock clock_skew shifts) and how it starts, reports progress and sums up its
// run. The registry the runner and the CLI choose from.
import { BANK_CREDIT, type BankCreditReport } from './bank-credit/index.ts'
import type { FaultName } from './faults.ts'
import { LEAD_TO_CASH, type LeadToCashReport } from './lead-to-cash/index.ts'
import { MANUFACTURING, type ManufacturingReport } from './manufacturing/index.ts'
import { RETAIL_O2O, type RetailReport } from './retail-o2o/index.ts'
import type { ScenarioOptions, World } from './world.ts'

export interface ScenarioStartOptions extends ScenarioOptions {
  /** Master-data changes per simulated hour (the scenario's default when unset). */
  readonly customerChangesPerHour?: number
}

export interface Scenario<R> {
  readonly name: string
  readonly process: string
  readonly description: string
  /** The clock_skew fault: this system's clocks run this far off. */
  readonly clockSkew: { readonly system: string; readonly offsetMs: number }
  /** The faults the scenario's systems simulate; others are refused. */
  readonly faults: readonly FaultName[]
  start(world: World, options: ScenarioStartOptions): { report(): R }
  /** For progress log lines: instances started and completed so far. */
  progress(report: R): { readonly instances: number; readonly completed: number }
  /** The run's summary, as lines the command prints. */
  summary(report: R): readonly string[]
}

export interface ScenarioReports {
  readonly 'lead-to-cash': LeadToCashReport
  readonly 'bank-credit': BankCreditReport
  readonly 'retail-o2o': RetailReport
  readonly manufacturing: ManufacturingReport
}
export type ScenarioName = keyof ScenarioReports

export const SCENARIOS: { readonly [K in ScenarioName]: Scenario<ScenarioReports[K]> } = {
  'lead-to-cash': {
    ...LEAD_TO_CASH,
    faults: ['erp_down', 'slow_sync', 'mapping_errors', 'consumer_stopped', 'duplicate_deliveries', 'late_batch', 'clock_skew'],
    progress: (r) => ({ instances: r.ordersWon, completed: r.completed }),
    summary: (r) => [
      `  orders won ${r.ordersWon}, sales orders ${r.salesOrdersCreated} (rejected ${r.salesOrdersRejected}), reserved ${r.reserved}, deliveries ${r.deliveriesCreated}, goods issues ${r.goodsIssued}, invoiced ${r.invoiced}, paid ${r.paid}, cash ${r.completed}`,
      `  ERP order calls: ${r.counters.erpAttempts.created} created, ${r.counters.erpAttempts.rejected} rejected, ${r.counters.erpAttempts.unavailable} 503, ${r.counters.erpAttempts.timeout} timeouts; dead-lettered ${r.counters.erpDeadLettered}`,
    ],
  },
  'bank-credit': BANK_CREDIT,
  'retail-o2o': RETAIL_O2O,
  manufacturing: MANUFACTURING,
}

export const SCENARIO_NAMES: readonly ScenarioName[] = ['lead-to-cash', 'bank-credit', 'retail-o2o', 'manufacturing']

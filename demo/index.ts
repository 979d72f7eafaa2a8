// The demo: the seed article's scenarios as simulated enterprise systems that call each other
// through real integration code paths and report with the real OpenTelemetry SDK (OTLP to a
// collector) and throughline's SDK hooks, with injected faults. Other parts (the CLI) enter
// here. How it works and what each fault shows: docs/demo.md.
export {
  runDemo,
  startDemo,
  DUPLICATE_RATE,
  SCENARIO_NAMES,
  SCENARIOS,
  type DemoOptions,
  type DemoSummary,
  checkScenarioFaults,
  type RunningDemo,
  type ScenarioName,
} from './run.ts'
export type { Scenario, ScenarioReports } from './scenarios.ts'
export {
  FAULT_DESCRIPTIONS,
  FAULT_NAMES,
  parseFaultSpec,
  resolveFault,
  FaultSchedule,
  type FaultName,
  type FaultSpec,
  type FaultStart,
  type FaultWindow,
} from './faults.ts'
export { parseSpeed, realInstantFor, type Pace, type Speed } from './pace.ts'
export { collectorSink, type DemoSink, type PostedEvent, type PostOutcome } from './sink.ts'
export type { TelemetryStats } from './telemetry.ts'
export type { PostStats } from './events-poster.ts'
export {
  CLOCK_SKEW,
  CUSTOMERS,
  Integration,
  LATE_BATCH_DELAY,
  MAX_ORDER_ATTEMPTS,
  nextNightlyRun,
  SERVICES,
  type Customer,
  type DeliveryRecord,
  type IntegrationCounters,
  type LeadToCashReport,
  type OrderRecord,
} from './lead-to-cash/index.ts'
export {
  BANK_CREDIT_CLOCK_SKEW,
  BANK_CREDIT_PROCESS,
  BANK_CUSTOMERS,
  BankCreditIntegration,
  CORE_BATCH_DELAY,
  CORE_BATCH_SYSTEM,
  MAX_BUREAU_ATTEMPTS,
  nextBatchRun,
  REVIEW_CALENDAR,
  SIMPLE_LIMIT,
  type ApplicationRecord,
  type BankCreditCounters,
  type BankCreditReport,
  type BankCustomer,
} from './bank-credit/index.ts'
export {
  EOD_LATE_DELAY,
  EOD_SYSTEM,
  IN_STORE_PER_ONLINE,
  MEMBERS,
  nextEndOfDay,
  RETAIL_CLOCK_SKEW,
  RETAIL_PROCESS,
  RetailIntegration,
  STORE_HOURS,
  STORES,
  storesByDistance,
  type Fulfilment,
  type Member,
  type OnlineOrderRecord,
  type RetailCounters,
  type RetailReport,
  type RoutingRecord,
  type Store,
} from './retail-o2o/index.ts'
export {
  MFG_CLOCK_SKEW,
  MFG_CUSTOMERS,
  MFG_PROCESS,
  MfgIntegration,
  nextShiftEnd,
  PLANT_HOURS,
  PRODUCTS,
  RAW_MATERIALS,
  SHIFT_BATCH_LATE_DELAY,
  SHIFT_BATCH_SYSTEM,
  STOCK_SYNC_EVERY,
  WORK_CENTERS,
  type ManufacturingCounters,
  type ManufacturingReport,
  type MfgCustomer,
  type Product,
  type ProductionRecord,
} from './manufacturing/index.ts'

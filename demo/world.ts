// What every simulated system of a scenario is given: the scheduler (simulated time), its
// random stream, the fault schedule, the OpenTelemetry SDKs per service and the legacy
// event route.
import type { Scheduler } from './event-queue.ts'
import type { EventsPoster } from './events-poster.ts'
import type { FaultSchedule } from './faults.ts'
import type { SeededRandom } from './random.ts'
import type { TelemetryHub } from './telemetry.ts'

export interface World {
  readonly scheduler: Scheduler
  readonly random: SeededRandom
  readonly faults: FaultSchedule
  readonly telemetry: TelemetryHub
  readonly events: EventsPoster
  /** The first simulated instant (epoch ms). */
  readonly startMs: number
}

export interface ScenarioOptions {
  /** Mean rate of won opportunities (orders), per simulated hour. */
  readonly ordersPerHour: number
}

// Business numbers as each system hands them out: the channel's application numbers, the BPM
// engine's process instance ids, the bureau's report numbers, the core's loan account
// numbers. A run number (the start minute) keeps one run's numbers apart from an earlier
// run's in the same store.
import { RunNumbers } from '../run-numbers.ts'

export class LoanNumbers extends RunNumbers {
  application(): string {
    return `LA-${this.run}-${this.next('application', 5)}`
  }
  bpmInstance(): string {
    return `PI${this.run}${this.next('bpm', 6)}`
  }
  bureauReport(): string {
    return `CR${this.run}${this.next('bureau', 7)}`
  }
  reviewTask(): string {
    return `TASK-${this.run}-${this.next('task', 5)}`
  }
  loanAccount(): string {
    return `62${this.run}${this.next('loan', 7)}`
  }
  sms(): string {
    return `SMS${this.run}${this.next('sms', 6)}`
  }
}

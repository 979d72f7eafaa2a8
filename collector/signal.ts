// The kinds of data the collector takes in, and the table each lands in.
import type { SignalTable } from '../store/index.ts'

export type Signal = 'traces' | 'logs'

export const signalTable: Readonly<Record<Signal, SignalTable>> = {
  traces: 'otel_traces',
  logs: 'otel_logs',
}

// The process logger: pino, JSON lines on stdout, written synchronously so the last lines
// before an exit (a signal, a crash) are never lost in a buffer.
import { destination, pino, type Logger } from 'pino'
import type { Config } from './config.ts'

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'throughline' } }, destination({ dest: 1, sync: true }))
}

export type { Logger }

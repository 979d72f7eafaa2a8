// The process logger: pino, JSON lines on stdout (or pretty-less plain JSON in a TTY too:
// operators pipe it to their log shipper).
import { pino, type Logger } from 'pino'
import type { Config } from './config.ts'

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'throughline' } })
}

export type { Logger }

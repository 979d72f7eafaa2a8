// Graceful on the first SIGTERM/SIGINT, forceful on the second, and the signal is
// re-raised at the end so the exit status stays truthful (as graphile-worker does).
import type { Logger } from 'pino'

export function onShutdownSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now, the spool keeps what was not written')
      process.removeAllListeners('SIGTERM').removeAllListeners('SIGINT')
      process.kill(process.pid, signal)
      return
    }
    stopping = true
    logger.info({ signal }, 'stopping: intake closed, draining the spool')
    stop()
      .then(() => {
        logger.info('stopped cleanly')
        process.removeAllListeners(signal)
        process.kill(process.pid, signal)
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      })
  }
  process.on('SIGTERM', handle)
  process.on('SIGINT', handle)
}

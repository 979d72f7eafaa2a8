// Graceful on the first SIGTERM/SIGINT, forceful on the second, and the signal is
// re-raised at the end so the exit status stays truthful (as graphile-worker does).
import type { Logger } from 'pino'

/** `stop` resolves true when everything acknowledged reached the store. */
export function onShutdownSignals(logger: Logger, stop: () => Promise<boolean>): void {
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
      .then((drained) => {
        if (drained) logger.info('stopped cleanly: the spool is empty')
        else logger.warn('stopped with data left in the spool (ClickHouse did not take it in time); the next start writes it')
        process.removeAllListeners(signal)
        process.kill(process.pid, signal)
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed')
        // The logger writes asynchronously: flushed first, so the reason is not lost with the exit.
        logger.flush(() => process.exit(1))
      })
  }
  process.on('SIGTERM', handle)
  process.on('SIGINT', handle)
}

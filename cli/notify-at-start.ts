// The notifiers when `serve` starts: notifyConfig (default notify.yaml, Alertmanager-style
// routes and receivers; docs/notifications.md). No file: alerts are raised, stored and shown by
// the API, but nothing is sent. An invalid file stops the start.
import { existsSync, readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { parse } from 'yaml'
import type { Config } from '../core/config.ts'
import { ConfigError } from '../core/errors.ts'
import { createNotifier, parseNotifyConfig, type Notifier } from '../notify/index.ts'
import type { StoreClient } from '../store/index.ts'

export function notifierAtStart(config: Readonly<Config>, store: StoreClient, logger: Logger): Notifier | undefined {
  if (!existsSync(config.notifyConfig)) {
    logger.info({ file: config.notifyConfig }, 'no notification config: alerts are kept and served by the API, not sent')
    return undefined
  }
  let value: unknown
  try {
    value = parse(readFileSync(config.notifyConfig, 'utf8'))
  } catch (err) {
    throw new ConfigError(`${config.notifyConfig}: not readable YAML: ${err instanceof Error ? err.message : String(err)}`)
  }
  return createNotifier({ store, config: parseNotifyConfig(value, config.notifyConfig), logger })
}

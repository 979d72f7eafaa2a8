// `throughline serve`: the collector (OTLP on 4318), the deriver, the rules engine and the API
// (8080) on one store: embedded chDB in the data directory (migrated at start) or a ClickHouse
// server (migrated in the background, so intake works while the server is still down). The
// `roles` setting picks which of them this process runs (cli/serve-roles.ts).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { buildApiApp, startClickHouseHttp } from '../api/index.ts'
import { openCollector } from '../collector/index.ts'
import type { Config } from '../core/config.ts'
import { createLogger, type Logger } from '../core/logger.ts'
import { startDeriver } from '../processes/index.ts'
import { createRulesEngine } from '../rules/index.ts'
import { loadRulesAtStart } from './rules-at-start.ts'
import { diagnoser, loadRunbooksAtStart } from './runbooks-at-start.ts'
import { notifierAtStart } from './notify-at-start.ts'
import { startDemoInProcess } from './demo.ts'
import { createStoreClient } from '../store/index.ts'
import { ensureSchema } from './schema-at-start.ts'
import { loadDefinitionsAtStart } from './definitions-at-start.ts'
import { onShutdownSignals } from './shutdown.ts'
import { checkDemoRoles, rolesOf, type Roles } from './serve-roles.ts'

export interface RunningService {
  readonly roles: Roles
  /** Undefined when this process does not run the collector (or the API). */
  readonly otlpUrl: string | undefined
  readonly apiUrl: string | undefined
  /** Resolves true when everything acknowledged reached ClickHouse before the deadline. */
  stop(): Promise<boolean>
}

export async function startService(config: Readonly<Config>, logger: Logger): Promise<RunningService> {
  const roles = rolesOf(config)
  mkdirSync(config.dataDir, { recursive: true })
  const definitions = await loadDefinitionsAtStart(config)
  logger.info({ processes: definitions.map((d) => d.name), dir: config.processesDir }, 'process definitions loaded')
  const rules = await loadRulesAtStart(config, definitions)
  logger.info({ rules: rules.length, dir: config.rulesDir }, 'alert rules loaded')
  const runbooks = await loadRunbooksAtStart()
  const store = createStoreClient(config)
  const stopping = new AbortController()
  await ensureSchema(store, config, logger, stopping.signal)
  const collector = roles.has('collector') ? await openCollector({ config, store, logger }) : undefined
  // Spans, logs and posted events become business events and instances as they are stored.
  const deriver = roles.has('deriver') ? startDeriver({ store, definitions, logger: logger.child({ part: 'deriver' }) }) : undefined
  const notifier = roles.has('rules') ? notifierAtStart(config, store, logger.child({ part: 'notify' })) : undefined
  notifier?.start()
  const engine = !roles.has('rules')
    ? undefined
    : await createRulesEngine({
        store,
        rules,
        definitions,
        logger: logger.child({ part: 'rules' }),
        links: { api: config.publicUrl, runbooks: `${config.publicUrl}/api/v1/runbooks` },
        // The deriver (this process's or another's on the store) keeps the facts rollup.
        facts: 'rollup',
        diagnose: diagnoser(store, runbooks, rules, logger.child({ part: 'triage' })),
        ...(notifier !== undefined ? { notify: (alerts, nowMs) => notifier.update(alerts, nowMs) } : {}),
      })
  engine?.start()
  // The API serves the rules and runbooks wherever it runs; the spool and the engine's last
  // runs only when they are in this process.
  const api = !roles.has('api')
    ? undefined
    : await buildApiApp({
        store,
        logger,
        ...(collector !== undefined ? { spooledBytes: () => collector.pipeline.spooledBytes } : {}),
        importStagingDir: join(config.dataDir, 'imports'),
        definitions,
        rules,
        runbooks,
        publicUrl: config.publicUrl,
        // The deriver (in this process or another on the same store) keeps the facts rollup.
        facts: 'rollup',
        ...(engine !== undefined ? { lastRuleRuns: () => engine.lastRuns() } : {}),
      })
  const otlpUrl = await collector?.app.listen({ host: config.host, port: config.otlpPort })
  const apiUrl = await api?.listen({ host: config.host, port: config.apiPort })
  // Embedded mode only: Grafana reads the chDB store through a read-only ClickHouse HTTP port.
  const clickhouseHttp = api === undefined ? undefined : await startClickHouseHttp(config, store, logger)
  logger.info({ roles: [...roles], otlp: otlpUrl, api: apiUrl, dataDir: config.dataDir }, 'throughline is serving')
  return {
    roles,
    otlpUrl,
    apiUrl,
    async stop() {
      stopping.abort()
      await engine?.stop()
      await notifier?.close()
      await api?.close()
      await clickhouseHttp?.app.close()
      const drained = (await collector?.close(config.writer.drainOnStopMs)) ?? true
      // After the collector drained: what it stored last is derived before the store closes.
      await deriver?.runOnce()
      await deriver?.stop()
      await store.client.close()
      return drained
    },
  }
}

export async function serveCommand(config: Readonly<Config>, demo?: string): Promise<void> {
  checkDemoRoles(rolesOf(config), demo)
  const logger = createLogger(config)
  const service = await startService(config, logger)
  // `npm start` feeds the service with the demo, so a newcomer sees real numbers at once.
  const simulation = demo === undefined || service.otlpUrl === undefined ? undefined : startDemoInProcess(service.otlpUrl, demo, logger)
  // The engine's and the deriver's timers are unref'ed (they must not hold up a stop); with no
  // port open (--role rules,deriver) nothing else would keep the process alive: this does, until
  // a signal stops the service.
  const keepAlive = setInterval(() => undefined, 2 ** 30)
  onShutdownSignals(logger, async () => {
    clearInterval(keepAlive)
    await simulation?.stop()
    return service.stop()
  })
}

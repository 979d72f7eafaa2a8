// Turns a schema-valid NotifyConfig into what the notifier runs on: the route tree with
// inherited settings, compiled matchers, inhibition rules and time intervals, durations in
// milliseconds. Checks what the schema cannot (a route naming an unknown receiver or time
// interval, a matcher that does not parse) and reports every problem at once.
import { ConfigError } from '../core/errors.ts'
import { durationSetting, type NotifyConfig, type ReceiverConfig } from './config.ts'
import type { RetryPolicy } from './delivery-queue.ts'
import { compileInhibitRules, type InhibitRule } from './inhibition.ts'
import { allRoutes, compileRoute, type Route } from './routing.ts'
import { compileTimeIntervals, type TimeIntervalSet } from './time-intervals.ts'

export interface CompiledNotifyConfig {
  readonly root: Route
  readonly routesById: ReadonlyMap<string, Route>
  readonly receivers: ReadonlyMap<string, ReceiverConfig>
  readonly inhibitRules: readonly InhibitRule[]
  readonly timeIntervals: ReadonlyMap<string, TimeIntervalSet>
  /** How soon the resolve goes out once a group's last alert resolved. */
  readonly resolveWaitMs: number
  readonly retry: RetryPolicy
}

export const NOTIFY_DEFAULTS = { resolveWaitMs: 10_000, retry: { initialMs: 1_000, maxMs: 300_000, giveUpAfterMs: 24 * 3_600_000 } } as const

function checkReceiver(receiver: ReceiverConfig, path: string, problems: string[]): void {
  const timeouts: Array<[string, string | undefined]> = []
  for (const [i, c] of (receiver.slack_configs ?? []).entries()) {
    if ((c.token === undefined) === (c.token_file === undefined)) problems.push(`${path}.slack_configs[${i}]: set one of token, token_file`)
    timeouts.push([`${path}.slack_configs[${i}].timeout`, c.timeout])
  }
  for (const [i, c] of (receiver.email_configs ?? []).entries()) {
    if (c.auth_password !== undefined && c.auth_password_file !== undefined)
      problems.push(`${path}.email_configs[${i}]: set auth_password or auth_password_file, not both`)
    timeouts.push([`${path}.email_configs[${i}].timeout`, c.timeout])
  }
  for (const [i, c] of (receiver.webhook_configs ?? []).entries()) {
    if (c.secret !== undefined && c.secret_file !== undefined) problems.push(`${path}.webhook_configs[${i}]: set secret or secret_file, not both`)
    timeouts.push([`${path}.webhook_configs[${i}].timeout`, c.timeout])
  }
  for (const [i, c] of (receiver.alertmanager_configs ?? []).entries()) {
    const at = `${path}.alertmanager_configs[${i}]`
    timeouts.push([`${at}.timeout`, c.timeout], [`${at}.resend_interval`, c.resend_interval])
    durationSetting(c.resolved_resend_for, 0, `${at}.resolved_resend_for`, problems, true)
  }
  for (const [at, text] of timeouts) durationSetting(text, 0, at, problems)
}

export function compileNotifyConfig(config: NotifyConfig): CompiledNotifyConfig {
  const problems: string[] = []
  const receivers = new Map<string, ReceiverConfig>()
  for (const [i, receiver] of config.receivers.entries()) {
    if (receivers.has(receiver.name)) problems.push(`receivers[${i}].name: '${receiver.name}' is defined twice`)
    receivers.set(receiver.name, receiver)
    checkReceiver(receiver, `receivers[${i}]`, problems)
  }
  const timeIntervals = compileTimeIntervals(config.time_intervals ?? [], problems)
  const root = compileRoute(config.route, problems)
  const routesById = new Map<string, Route>()
  for (const route of allRoutes(root)) {
    routesById.set(route.id, route)
    if (route.receiver !== '' && !receivers.has(route.receiver)) problems.push(`route ${route.id}: receiver '${route.receiver}' is not defined in receivers`)
    for (const name of [...route.muteTimeIntervals, ...route.activeTimeIntervals]) {
      if (!timeIntervals.has(name)) problems.push(`route ${route.id}: time interval '${name}' is not defined in time_intervals`)
    }
  }
  const inhibitRules = compileInhibitRules(config.inhibit_rules ?? [], problems)
  const resolveWaitMs = durationSetting(config.resolve_wait, NOTIFY_DEFAULTS.resolveWaitMs, 'resolve_wait', problems, true)
  const d = NOTIFY_DEFAULTS.retry
  const retry = {
    initialMs: durationSetting(config.retry?.initial, d.initialMs, 'retry.initial', problems),
    maxMs: durationSetting(config.retry?.max, d.maxMs, 'retry.max', problems),
    giveUpAfterMs: durationSetting(config.retry?.give_up_after, d.giveUpAfterMs, 'retry.give_up_after', problems),
  }
  if (retry.maxMs < retry.initialMs) problems.push('retry.max: must not be shorter than retry.initial')
  if (problems.length > 0) throw new ConfigError(`invalid notify config: ${problems.join('; ')}`)
  return { root, routesById, receivers, inhibitRules, timeIntervals, resolveWaitMs, retry }
}

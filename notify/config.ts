// The notification config (notify.yaml): Alertmanager's routing tree, receivers, inhibition
// rules and time intervals, with its key names so a route or receiver can be copied across,
// plus throughline's own resolve_wait and retry settings. One TypeBox schema for YAML
// loading, editor checking and the TypeScript type; compile-config.ts checks what a schema
// cannot (names that refer to each other, matchers, durations).
import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { parseDuration } from '../core/durations.ts'
import { ConfigError } from '../core/errors.ts'

const Duration = Type.String({ pattern: '^[0-9P]', description: "a duration such as '30s', '5m', '4h', '1h30m'" })
const Matchers = Type.Array(Type.String({ minLength: 1 }), {
  description: "Alertmanager matchers: 'severity=\"critical\"', 'process=~\"order.*\"', 'team!=ops'",
})
const Name = Type.String({ minLength: 1, maxLength: 200 })

const RouteFields = {
  receiver: Type.Optional(Name),
  group_by: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "label names, or ['...'] for every label" })),
  group_wait: Type.Optional(Duration),
  group_interval: Type.Optional(Duration),
  repeat_interval: Type.Optional(Duration),
  matchers: Type.Optional(Matchers),
  continue: Type.Optional(Type.Boolean()),
  mute_time_intervals: Type.Optional(Type.Array(Name)),
  active_time_intervals: Type.Optional(Type.Array(Name)),
}

export const RouteSchema = Type.Cyclic(
  {
    Route: Type.Object({ ...RouteFields, routes: Type.Optional(Type.Array(Type.Ref('Route'))) }, { additionalProperties: false }),
  },
  'Route',
)

const SendResolved = Type.Optional(Type.Boolean({ description: 'send messages about resolved alerts of a group that still fires (default true)' }))

export const SlackConfigSchema = Type.Object(
  {
    channel: Type.String({ minLength: 1, description: 'a channel ID (C0123...): the exactly-once check after a restart reads its history' }),
    token: Type.Optional(Type.String({ minLength: 1, description: 'bot token (xoxb-...), needs chat:write and channels:history' })),
    token_file: Type.Optional(Type.String({ minLength: 1 })),
    api_url: Type.Optional(Type.String({ minLength: 1, description: "default 'https://slack.com/api/'" })),
    send_resolved: SendResolved,
    timeout: Type.Optional(Duration),
  },
  { additionalProperties: false },
)

export const EmailConfigSchema = Type.Object(
  {
    to: Type.Array(Type.String({ minLength: 3 }), { minItems: 1 }),
    from: Type.String({ minLength: 3 }),
    smarthost: Type.String({ pattern: '^[^:]+:[0-9]+$', description: 'host:port of the SMTP server' }),
    hello: Type.Optional(Type.String({ minLength: 1 })),
    auth_username: Type.Optional(Type.String()),
    auth_password: Type.Optional(Type.String()),
    auth_password_file: Type.Optional(Type.String({ minLength: 1 })),
    require_tls: Type.Optional(Type.Boolean({ description: 'STARTTLS required (default true); port 465 uses implicit TLS' })),
    message_id_domain: Type.Optional(Type.String({ minLength: 1, description: "domain of the Message-Id; default: the from address's" })),
    send_resolved: SendResolved,
    timeout: Type.Optional(Duration),
  },
  { additionalProperties: false },
)

export const WebhookConfigSchema = Type.Object(
  {
    url: Type.String({ pattern: '^https?://' }),
    secret: Type.Optional(Type.String({ minLength: 16, description: 'shared secret of the X-Throughline-Signature HMAC' })),
    secret_file: Type.Optional(Type.String({ minLength: 1 })),
    send_resolved: SendResolved,
    max_alerts: Type.Optional(Type.Integer({ minimum: 0, description: 'alerts per message, 0 = all' })),
    timeout: Type.Optional(Duration),
  },
  { additionalProperties: false },
)

export const AlertmanagerConfigSchema = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'base URL of an Alertmanager, e.g. http://alertmanager:9093' }),
    resend_interval: Type.Optional(Duration),
    resolved_resend_for: Type.Optional(Duration),
    timeout: Type.Optional(Duration),
  },
  { additionalProperties: false },
)

export const ReceiverSchema = Type.Object(
  {
    name: Name,
    slack_configs: Type.Optional(Type.Array(SlackConfigSchema)),
    email_configs: Type.Optional(Type.Array(EmailConfigSchema)),
    webhook_configs: Type.Optional(Type.Array(WebhookConfigSchema)),
    alertmanager_configs: Type.Optional(Type.Array(AlertmanagerConfigSchema)),
  },
  { additionalProperties: false },
)

export const InhibitRuleSchema = Type.Object(
  {
    source_matchers: Matchers,
    target_matchers: Matchers,
    equal: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
)

const Range = Type.String({ minLength: 1 })
export const TimeIntervalSchema = Type.Object(
  {
    times: Type.Optional(
      Type.Array(
        Type.Object(
          { start_time: Type.String({ pattern: '^[0-9]{2}:[0-9]{2}$' }), end_time: Type.String({ pattern: '^[0-9]{2}:[0-9]{2}$' }) },
          { additionalProperties: false },
        ),
      ),
    ),
    weekdays: Type.Optional(Type.Array(Range, { description: "'monday', 'monday:friday'" })),
    days_of_month: Type.Optional(Type.Array(Range, { description: "'1', '1:5', '-1' (the last day)" })),
    months: Type.Optional(Type.Array(Range, { description: "'1:3', 'january', 'may:august'" })),
    years: Type.Optional(Type.Array(Range, { description: "'2026', '2026:2027'" })),
    location: Type.Optional(Type.String({ minLength: 1, description: "an IANA zone such as 'Europe/Berlin'; default UTC" })),
  },
  { additionalProperties: false },
)

export const NamedTimeIntervalSchema = Type.Object({ name: Name, time_intervals: Type.Array(TimeIntervalSchema) }, { additionalProperties: false })

export const NotifyConfigSchema = Type.Object(
  {
    route: RouteSchema,
    receivers: Type.Array(ReceiverSchema, { minItems: 1 }),
    inhibit_rules: Type.Optional(Type.Array(InhibitRuleSchema)),
    time_intervals: Type.Optional(Type.Array(NamedTimeIntervalSchema)),
    resolve_wait: Type.Optional(Duration),
    retry: Type.Optional(
      Type.Object(
        {
          initial: Type.Optional(Duration),
          max: Type.Optional(Duration),
          give_up_after: Type.Optional(Duration),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'notify.yaml: routing, receivers, inhibition and time intervals (docs/notifications.md)' },
)

export type NotifyConfig = Type.Static<typeof NotifyConfigSchema>
export type RouteConfig = Type.Static<typeof RouteSchema>
export type ReceiverConfig = Type.Static<typeof ReceiverSchema>
export type SlackConfig = Type.Static<typeof SlackConfigSchema>
export type EmailConfig = Type.Static<typeof EmailConfigSchema>
export type WebhookConfig = Type.Static<typeof WebhookConfigSchema>
export type AlertmanagerConfig = Type.Static<typeof AlertmanagerConfigSchema>
export type InhibitRuleConfig = Type.Static<typeof InhibitRuleSchema>
export type TimeIntervalConfig = Type.Static<typeof TimeIntervalSchema>

const validator = Compile(NotifyConfigSchema)

/**
 * Checks a parsed YAML/JSON document against the schema and returns it typed; the error
 * names every bad field by its path. Cross-references are checked by compileNotifyConfig.
 */
export function parseNotifyConfig(value: unknown, source = 'notify config'): NotifyConfig {
  if (validator.Check(value)) return value
  const problems = [...validator.Errors(value)]
    .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'boolean')
    .map((e) => `${e.instancePath.slice(1).replaceAll('/', '.') || '(root)'}: ${e.message}`)
  throw new ConfigError(`invalid ${source}: ${[...new Set(problems)].join('; ')}`)
}

/**
 * A duration setting in milliseconds, `fallbackMs` when unset. A bad or (unless allowed) zero
 * value adds a problem naming its path and yields the fallback, so every problem is reported.
 */
export function durationSetting(text: string | undefined, fallbackMs: number, path: string, problems: string[], allowZero = false): number {
  if (text === undefined) return fallbackMs
  const parsed = parseDuration(text)
  if (!parsed.ok) problems.push(`${path}: ${parsed.message}`)
  else if (parsed.ms === 0 && !allowZero) problems.push(`${path}: must be longer than 0`)
  else return parsed.ms
  return fallbackMs
}

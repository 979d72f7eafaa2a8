// Notifications: Alertmanager's routing, grouping, inhibition, time intervals and silences,
// exactly-once delivery through a recorded intent log, and the channels (Slack, email,
// webhook, forwarding to Alertmanager). The rules engine calls createNotifier(...).update().
export type { Alert, AlertImpact, DiagnosticFinding, NotifiedState, ResolveReason, Severity, ValueAtRisk } from './alert.ts'
export {
  AlertmanagerConfigSchema,
  EmailConfigSchema,
  InhibitRuleSchema,
  NamedTimeIntervalSchema,
  NotifyConfigSchema,
  parseNotifyConfig,
  ReceiverSchema,
  RouteSchema,
  SlackConfigSchema,
  TimeIntervalSchema,
  WebhookConfigSchema,
  type AlertmanagerConfig,
  type EmailConfig,
  type InhibitRuleConfig,
  type NotifyConfig,
  type ReceiverConfig,
  type RouteConfig,
  type SlackConfig,
  type TimeIntervalConfig,
  type WebhookConfig,
} from './config.ts'
export { compileNotifyConfig, NOTIFY_DEFAULTS, type CompiledNotifyConfig } from './compile-config.ts'
export { createNotifier, systemClock, type Clock, type Notifier, type NotifierOptions } from './notifier.ts'
export type { ReconcileResult } from './reconcile.ts'
export { decideSend, NOTIFY_REASONS, type GroupReport, type NotifyReason, type SendDecision } from './group-decision.ts'
export { matchRoutes, groupKey, groupLabels, ROUTE_DEFAULTS, type GroupBy, type Route } from './routing.ts'
export { labelSetText, matchesAll, parseMatchers, type LabelSet, type Matcher, type MatchOperator, type StoredMatcher } from './matchers.ts'
export { inhibitedFingerprints, type InhibitRule } from './inhibition.ts'
export { intervalActive, type TimeIntervalSet } from './time-intervals.ts'
export { activeSilences, saveSilence, type ActiveSilence, type Silence } from './silences.ts'
export { routingLabels } from './aggregation-groups.ts'
export { episodeThreadId, idempotencyKey, notificationFacts, type Notification, type NotificationFacts } from './notification.ts'
export type { ChannelFactory, ChannelPlace, ChannelRegistry, DeliveryContext, DeliveryResult, NotificationChannel } from './channels/channel.ts'
export { defaultChannels } from './channels/registry.ts'
export { createSlackChannel, SLACK_METADATA_EVENT } from './channels/slack.ts'
export { createEmailChannel, emailThreading } from './channels/email.ts'
export { createWebhookChannel, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './channels/webhook.ts'
export { alertmanagerAlert, createAlertmanagerForwarder, type AlertmanagerForwarder } from './channels/alertmanager.ts'

// Channels that record instead of sending: every Slack, email and webhook integration of the
// notification config under test becomes one of these, so a notification test needs no network
// and sees exactly what the notifier decided (receiver, reason, group episode, sequence). Each
// keeps its kind's rules: email has nothing to say for `update`, send_resolved: false skips
// `some_resolved`.
import type { ChannelPlace, ChannelRegistry, Notification, NotificationChannel, NotifyReason } from '../../notify/index.ts'

export type RecordDelivery = (notification: Notification, nowMs: number) => void

function recordingChannel(kind: 'slack' | 'email' | 'webhook', sendResolved: boolean, place: ChannelPlace, record: RecordDelivery): NotificationChannel {
  return {
    integration: `${kind}#${place.index}`,
    sendResolved,
    pacing: undefined,
    accepts: (reason: NotifyReason) => (kind !== 'email' || reason !== 'update') && (sendResolved || reason !== 'some_resolved'),
    async deliver(notification, context) {
      record(notification, context.nowMs)
      return {
        kind: 'success',
        providerRef: `recorded:${notification.idempotencyKey}`,
        ...(context.threadRef === undefined ? { threadRef: `recorded-thread:${notification.groupEpisode}` } : {}),
      }
    },
    close: async () => undefined,
  }
}

/** The channel registry of a notification test: all three kinds record through `record`. */
export function recordingChannels(record: RecordDelivery): ChannelRegistry {
  return {
    slack: (config, place) => recordingChannel('slack', config.send_resolved ?? true, place, record),
    email: (config, place) => recordingChannel('email', config.send_resolved ?? true, place, record),
    webhook: (config, place) => recordingChannel('webhook', config.send_resolved ?? true, place, record),
  }
}

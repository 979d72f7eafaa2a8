// What a notification channel is to the notifier: a small interface, a tagged delivery result
// the delivery queue must branch on (success | failure | retryable), and the registry of
// channel kinds keyed by their config key, so a new kind is one more entry, not a switch.
import type { EmailConfig, SlackConfig, WebhookConfig } from '../config.ts'
import type { NotifyReason } from '../group-decision.ts'
import type { Notification } from '../notification.ts'

export type DeliveryResult =
  | {
      readonly kind: 'success'
      /** What the channel gave back: Slack `channel:ts`, the email Message-Id, the webhook status. */
      readonly providerRef: string
      /** Set when this delivery started the episode's thread (Slack's root message). */
      readonly threadRef?: string
    }
  | { readonly kind: 'failure'; readonly error: string }
  | { readonly kind: 'retryable'; readonly error: string; readonly retryAfterMs?: number }

export interface DeliveryContext {
  readonly nowMs: number
  /** The episode's thread on this integration, once its first message went out. */
  readonly threadRef: string | undefined
  /**
   * An earlier attempt may have reached the receiver (a failed attempt, or a restart since the
   * intent was recorded): a channel that can tell checks before sending again.
   */
  readonly maybeSent: boolean
}

export interface NotificationChannel {
  /** `slack#0`: the config key's kind and index within the receiver. */
  readonly integration: string
  readonly sendResolved: boolean
  /** Deliveries sharing a key are spaced by at least minGapMs (Slack: one message per second per channel). */
  readonly pacing: { readonly key: string; readonly minGapMs: number } | undefined
  /** Whether the channel has anything to send for a reason (email has nothing for `update`). */
  accepts(reason: NotifyReason): boolean
  deliver(notification: Notification, context: DeliveryContext): Promise<DeliveryResult>
  close(): Promise<void>
}

export interface ChannelPlace {
  readonly receiver: string
  readonly index: number
}

export type ChannelFactory<C> = (config: C, place: ChannelPlace) => NotificationChannel

/** The channel kinds, keyed like the receiver's config lists (`slack_configs` -> slack). */
export interface ChannelRegistry {
  readonly slack: ChannelFactory<SlackConfig>
  readonly email: ChannelFactory<EmailConfig>
  readonly webhook: ChannelFactory<WebhookConfig>
}

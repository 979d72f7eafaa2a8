// The built-in channel kinds, keyed like the receiver config lists they are built from.
import type { ChannelRegistry } from './channel.ts'
import { createEmailChannel } from './email.ts'
import { createSlackChannel } from './slack.ts'
import { createWebhookChannel } from './webhook.ts'

export const defaultChannels: ChannelRegistry = {
  slack: createSlackChannel,
  email: createEmailChannel,
  webhook: createWebhookChannel,
}

// Email over SMTP with nodemailer: an HTML and a plain-text part rendered from the same
// sections. Threading is deterministic: the episode's first message carries the episode's
// root Message-Id, every later one its own Message-Id (from the idempotency key) with
// In-Reply-To and References pointing at the root, so mail clients keep one thread and a
// re-sent intent carries the same Message-Id as the first try (clients show it once).
import { readFileSync } from 'node:fs'
import { createTransport } from 'nodemailer'
import { durationSetting, type EmailConfig } from '../config.ts'
import { episodeThreadId, type Notification } from '../notification.ts'
import type { ChannelPlace, DeliveryResult, NotificationChannel } from './channel.ts'
import { messageSections, sectionsHtml, sectionsText } from './message-sections.ts'
import { errorText } from './retry-after.ts'

const DEFAULT_TIMEOUT_MS = 30_000
/** Nodemailer's codes for failures a later try can get past (connection, timeout, TLS, protocol hiccups). */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL', 'ECONNREFUSED', 'ECONNRESET', 'EMAXLIMIT'])

function domainOf(config: EmailConfig): string {
  if (config.message_id_domain !== undefined) return config.message_id_domain
  const at = /@([^>\s]+)>?\s*$/.exec(config.from)
  return at?.[1] ?? 'throughline.invalid'
}

/** SMTP 4xx and connection trouble: try again; 5xx, authentication, bad addresses: give up. */
export function smtpResult(err: unknown): DeliveryResult {
  const field = (name: string): unknown => (typeof err === 'object' && err !== null ? Reflect.get(err, name) : undefined)
  const responseCode = field('responseCode')
  const code = field('code')
  const error = errorText(err)
  if (typeof responseCode === 'number') return responseCode >= 400 && responseCode < 500 ? { kind: 'retryable', error } : { kind: 'failure', error }
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return { kind: 'retryable', error }
  return typeof code === 'string' && code !== '' ? { kind: 'failure', error } : { kind: 'retryable', error }
}

/** The email's threading headers, as a pure function so tests can state them. */
export function emailThreading(n: Notification, domain: string): { messageId: string; inReplyTo?: string; references?: string } {
  const root = `<${episodeThreadId(n)}@${domain}>`
  if (n.sequence === 0) return { messageId: root }
  return { messageId: `<${n.idempotencyKey}@${domain}>`, inReplyTo: root, references: root }
}

export function createEmailChannel(config: EmailConfig, place: ChannelPlace): NotificationChannel {
  const [host = '', port = '25'] = config.smarthost.split(':')
  const timeout = durationSetting(config.timeout, DEFAULT_TIMEOUT_MS, 'timeout', [])
  const password = config.auth_password ?? (config.auth_password_file === undefined ? undefined : readFileSync(config.auth_password_file, 'utf8').trim())
  const transport = createTransport({
    host,
    port: Number(port),
    secure: Number(port) === 465,
    requireTLS: config.require_tls ?? true,
    ...(config.hello === undefined ? {} : { name: config.hello }),
    ...(config.auth_username === undefined ? {} : { auth: { user: config.auth_username, pass: password ?? '' } }),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  })
  const domain = domainOf(config)
  const sendResolved = config.send_resolved ?? true
  return {
    integration: `email#${place.index}`,
    sendResolved,
    pacing: undefined,
    accepts: (reason) => reason !== 'update' && (sendResolved || reason !== 'some_resolved'),
    async deliver(n) {
      const sections = messageSections(n)
      const subject = `${n.sequence === 0 ? '' : 'Re: '}[throughline] ${n.title}`
      const threading = emailThreading(n, domain)
      try {
        const info = await transport.sendMail({
          from: config.from,
          to: config.to,
          subject,
          text: sectionsText(sections),
          html: sectionsHtml(sections, n.title),
          ...threading,
          headers: {
            'X-Throughline-Idempotency-Key': n.idempotencyKey,
            'X-Throughline-Reason': n.reason,
            'X-Throughline-Status': n.status,
          },
        })
        return { kind: 'success', providerRef: info.messageId || threading.messageId }
      } catch (err) {
        return smtpResult(err)
      }
    },
    async close() {
      transport.close()
    },
  }
}

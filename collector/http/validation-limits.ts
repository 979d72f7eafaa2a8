// The per-record limits every route validates with, from the config: attribute caps, how far
// in the future a record may be dated, and (when the table has a TTL) how far in the past.
import type { Config } from '../../core/config.ts'
import type { ValidationLimits } from '../otlp/index.ts'
import type { Signal } from '../signal.ts'

const NS_PER_DAY = 86_400n * 1_000_000_000n

export function validationLimits(config: Readonly<Config>, signal: Signal, nowNs = BigInt(Date.now()) * 1_000_000n): ValidationLimits {
  const retentionDays = signal === 'traces' ? config.retention.tracesDays : config.retention.logsDays
  return {
    maxAttributesPerRecord: config.collector.maxAttributesPerRecord,
    maxAttributeValueBytes: config.collector.maxAttributeValueBytes,
    maxFutureSkewSeconds: config.collector.maxFutureSkewSeconds,
    nowNs,
    ...(retentionDays > 0 ? { oldestNs: nowNs - BigInt(retentionDays) * NS_PER_DAY } : {}),
  }
}

// An alert's identity: a hash of its rule id and its label set after templating, independent
// of label order. Measured values are never labels, so a changing value keeps the identity.
import { createHash } from 'node:crypto'

export function fingerprint(ruleId: string, labels: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify([ruleId, Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))])
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16)
}

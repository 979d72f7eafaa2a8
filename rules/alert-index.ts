// The engine's alerts by fingerprint, with each rule's at hand. A cycle asks for one rule's
// alerts once or twice per rule: 500 rules over 100,000 alerts (absence rules hold one per
// instance) must not scan them all each time. A fingerprint belongs to one rule for good (it
// hashes the rule id), and alerts are never removed (resolved ones stay as history).
import type { StoredAlert } from './alert-store.ts'

export class AlertIndex extends Map<string, StoredAlert> {
  readonly #byRule = new Map<string, Set<string>>()

  override set(fingerprint: string, stored: StoredAlert): this {
    super.set(fingerprint, stored)
    let ofRule = this.#byRule.get(stored.record.ruleId)
    if (ofRule === undefined) {
      ofRule = new Set()
      this.#byRule.set(stored.record.ruleId, ofRule)
    }
    ofRule.add(fingerprint)
    return this
  }

  /** The alerts of one rule, in the order they were first seen. */
  ofRule(ruleId: string): StoredAlert[] {
    const out: StoredAlert[] = []
    for (const fingerprint of this.#byRule.get(ruleId) ?? []) {
      const stored = super.get(fingerprint)
      if (stored !== undefined) out.push(stored)
    }
    return out
  }
}

// Alertmanager's inhibition: a firing alert matching a rule's source_matchers mutes the alerts
// matching its target_matchers that carry the same values of the `equal` labels (a label
// missing on both counts as equal). An alert that matches both sides is not muted by another
// alert that does too, so two such alerts never silence each other.
import { matchesAll, parseMatchers, type LabelSet, type Matcher } from './matchers.ts'
import type { InhibitRuleConfig } from './config.ts'

export interface InhibitRule {
  readonly source: readonly Matcher[]
  readonly target: readonly Matcher[]
  readonly equal: readonly string[]
}

function parseAll(texts: readonly string[], path: string, problems: string[]): Matcher[] {
  return texts.flatMap((text, i) => {
    const parsed = parseMatchers(text)
    if (typeof parsed === 'string') {
      problems.push(`${path}[${i}]: ${parsed}`)
      return []
    }
    return parsed
  })
}

export function compileInhibitRules(configs: readonly InhibitRuleConfig[], problems: string[]): InhibitRule[] {
  return configs.map((c, i) => ({
    source: parseAll(c.source_matchers, `inhibit_rules[${i}].source_matchers`, problems),
    target: parseAll(c.target_matchers, `inhibit_rules[${i}].target_matchers`, problems),
    equal: c.equal ?? [],
  }))
}

export interface LabelledAlert {
  readonly fingerprint: string
  readonly labels: LabelSet
  readonly firing: boolean
}

/** The fingerprints among `alerts` that an inhibition rule mutes, given all current alerts. */
export function inhibitedFingerprints(rules: readonly InhibitRule[], alerts: readonly LabelledAlert[]): Set<string> {
  const muted = new Set<string>()
  if (rules.length === 0) return muted
  const firing = alerts.filter((a) => a.firing)
  for (const rule of rules) {
    const sources = firing.filter((a) => matchesAll(rule.source, a.labels))
    if (sources.length === 0) continue
    for (const target of firing) {
      if (muted.has(target.fingerprint) || !matchesAll(rule.target, target.labels)) continue
      const twoSided = matchesAll(rule.source, target.labels)
      const inhibitor = sources.find(
        (s) =>
          s.fingerprint !== target.fingerprint &&
          !(twoSided && matchesAll(rule.target, s.labels)) &&
          rule.equal.every((name) => (s.labels[name] ?? '') === (target.labels[name] ?? '')),
      )
      if (inhibitor !== undefined) muted.add(target.fingerprint)
    }
  }
  return muted
}

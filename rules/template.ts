// Annotation templates: `{{ $value }}`, `{{ $labels.name }}`, `{{ $impact.instances }}`, and for
// anomaly rules `{{ $baseline }}`, `{{ $lower }}`, `{{ $upper }}` (the band). A tiny
// fixed language on purpose: templates cannot run code or reach anything but these values.
import type { AlertImpact } from '../notify/index.ts'

export interface TemplateValues {
  readonly value: number | null
  readonly labels: Readonly<Record<string, string>>
  readonly impact?: AlertImpact | undefined
  readonly baseline?: { readonly center: number; readonly lower: number; readonly upper: number } | undefined
}

const formatValue = (value: number | null): string =>
  value === null ? 'n/a' : Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, '').replace(/\.$/, '')

export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{\{\s*\$([a-z_]+)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\s*\}\}/g, (whole, root: string, field: string | undefined) => {
    if (root === 'value' && field === undefined) return formatValue(values.value)
    if (root === 'baseline' && field === undefined) return formatValue(values.baseline?.center ?? null)
    if (root === 'lower' && field === undefined) return formatValue(values.baseline?.lower ?? null)
    if (root === 'upper' && field === undefined) return formatValue(values.baseline?.upper ?? null)
    if (root === 'labels' && field !== undefined) return values.labels[field] ?? ''
    if (root === 'impact' && field === 'instances') return String(values.impact?.instances ?? 0)
    if (root === 'impact' && field === 'value_at_risk') return (values.impact?.valueAtRisk ?? []).map((v) => `${v.amount} ${v.currency}`).join(', ')
    return whole
  })
}

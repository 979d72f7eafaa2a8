// A runbook for the API: its front matter, sections and steps as data, and the body as HTML.
// markdown-it renders it with raw HTML turned off, so whatever a runbook holds is shown as
// text; step blocks carry data-step and data-kind so a page can put a Run button on them.
import type { Token } from 'markdown-it'
import { splitFrontMatter } from './front-matter.ts'
import { markdown } from './markdown.ts'
import type { AppliesTo, Runbook, RunbookStep, StepKind } from './model.ts'

export interface RenderedStep {
  readonly name: string
  readonly kind: StepKind
  readonly title: string
  readonly language: string
  readonly code: string
  readonly section: string
  readonly line: number
  readonly timeoutMs: number
  /** Diagnostics only. */
  readonly auto?: boolean
  readonly maxRows?: number
  readonly parameters: readonly string[]
}

export interface RenderedSection {
  readonly name: string
  readonly line: number
  readonly html: string
}

export interface RenderedRunbook {
  readonly id: string
  readonly title: string
  readonly owner: string
  readonly appliesTo: AppliesTo
  readonly severityGuide: Runbook['severityGuide']
  readonly lastReviewed: string
  /** The whole body (front matter left out). */
  readonly html: string
  readonly sections: readonly RenderedSection[]
  readonly steps: readonly RenderedStep[]
}

function renderedStep(step: RunbookStep): RenderedStep {
  const common = {
    name: step.name,
    kind: step.kind,
    title: step.title,
    language: step.language,
    code: step.code,
    section: step.section,
    line: step.line,
    timeoutMs: step.timeoutMs,
    parameters: step.parameters.map((p) => p.name),
  }
  return step.kind === 'diagnostic' ? { ...common, auto: step.auto, maxRows: step.maxRows } : common
}

export function renderRunbook(runbook: Runbook): RenderedRunbook {
  const env = {}
  const tokens = markdown.parse(splitFrontMatter(runbook.source).body, env)
  const stepAt = new Map(runbook.steps.map((step) => [step.line, step]))
  for (const token of tokens) {
    const step = token.type === 'fence' ? stepAt.get((token.map?.[0] ?? -1) + 1) : undefined
    if (step === undefined) continue
    token.attrSet('data-step', step.name)
    token.attrSet('data-kind', step.kind)
  }
  const html = (part: Token[]): string => markdown.renderer.render(part, markdown.options, env)
  // Each H2 section is the tokens after its heading up to the next H2.
  const starts = tokens.flatMap((token, i) => (token.type === 'heading_open' && token.tag === 'h2' ? [i] : []))
  const sections = runbook.sections.map((section, i) => {
    const start = starts[i] ?? tokens.length
    const bodyStart = tokens.findIndex((token, j) => j > start && token.type === 'heading_close')
    return { name: section.name, line: section.line, html: html(tokens.slice(bodyStart + 1, starts[i + 1] ?? tokens.length)) }
  })
  return {
    id: runbook.id,
    title: runbook.title,
    owner: runbook.owner,
    appliesTo: runbook.appliesTo,
    severityGuide: runbook.severityGuide,
    lastReviewed: runbook.lastReviewed,
    html: html(tokens),
    sections,
    steps: runbook.steps.map(renderedStep),
  }
}

// Reads one runbook file: front matter, the H2 sections (all of REQUIRED_SECTIONS present,
// each once) and the steps (fenced blocks with attributes), with every problem at its line.
import { basename } from 'node:path'
import type { Token } from 'markdown-it'
import { readFrontMatter, splitFrontMatter } from './front-matter.ts'
import { markdown } from './markdown.ts'
import { REQUIRED_SECTIONS, type Runbook, type RunbookSection, type RunbookStep } from './model.ts'
import { problem, RunbookProblemCode, sortRunbookProblems, type RunbookProblem } from './problems.ts'
import { readStep } from './steps.ts'

export interface RunbookRead {
  /** Set only when the file has no error (warnings may remain). */
  readonly runbook?: Runbook
  readonly problems: readonly RunbookProblem[]
  /** The line of a front-matter field (['applies_to', 'rules', 0]), for problems found later. */
  readonly lineOf: (path: ReadonlyArray<string | number>) => number
}

const inlineText = (tokens: readonly Token[], index: number): string => (tokens[index + 1]?.type === 'inline' ? tokens[index + 1]!.content.trim() : '')
const startLine = (token: Token): number => (token.map?.[0] ?? 0) + 1

interface Heading {
  readonly name: string
  readonly line: number
}

function sectionsOf(headings: readonly Heading[], lines: readonly string[]): RunbookSection[] {
  return headings.map((heading, i) => {
    const end = headings[i + 1]?.line ?? lines.length + 1
    return {
      name: heading.name,
      line: heading.line,
      markdown: lines
        .slice(heading.line, end - 1)
        .join('\n')
        .trim(),
    }
  })
}

function sectionProblems(file: string, sections: readonly RunbookSection[], lastLine: number): RunbookProblem[] {
  const problems: RunbookProblem[] = []
  const key = (name: string): string => name.trim().toLowerCase()
  const seen = new Map<string, RunbookSection>()
  for (const section of sections) {
    const earlier = seen.get(key(section.name))
    if (earlier === undefined) seen.set(key(section.name), section)
    else if (REQUIRED_SECTIONS.some((required) => key(required) === key(section.name))) {
      const message = `'## ${section.name}' is already at line ${earlier.line}; one section of each name`
      problems.push(problem('error', RunbookProblemCode.duplicateSection, file, section.line, `sections.${section.name}`, message))
    }
  }
  REQUIRED_SECTIONS.forEach((required, i) => {
    if (seen.has(key(required))) return
    // Where it belongs: before the next required section that is there, else at the end.
    const next = REQUIRED_SECTIONS.slice(i + 1)
      .map((name) => seen.get(key(name)))
      .find((section) => section !== undefined)
    const message = `the '## ${required}' section is missing (every runbook has ${REQUIRED_SECTIONS.join(', ')})`
    problems.push(problem('error', RunbookProblemCode.missingSection, file, next?.line ?? lastLine, `sections.${required}`, message))
  })
  return problems
}

function duplicateSteps(file: string, steps: readonly RunbookStep[]): RunbookProblem[] {
  const first = new Map<string, RunbookStep>()
  const problems: RunbookProblem[] = []
  for (const step of steps) {
    const earlier = first.get(step.name)
    if (earlier === undefined) first.set(step.name, step)
    else {
      const message = `a step named '${step.name}' is already at line ${earlier.line}; names identify steps in results and audits`
      problems.push(problem('error', RunbookProblemCode.duplicateStep, file, step.line, `steps.${step.name}.name`, message))
    }
  }
  return problems
}

/** Parses one runbook; `file` is the path problems name (runbooks/<id>.md). */
export function parseRunbook(file: string, text: string): RunbookRead {
  const split = splitFrontMatter(text)
  const front = readFrontMatter(file, split)
  const problems: RunbookProblem[] = [...front.problems]
  const id = front.frontMatter?.id
  if (id !== undefined && file.endsWith('.md') && basename(file, '.md') !== id) {
    const message = `the id '${id}' does not match the file name: rename the file ${id}.md or set id: ${basename(file, '.md')}`
    problems.push(problem('error', RunbookProblemCode.idMismatch, file, front.lineOf(['id']), 'front_matter.id', message))
  }
  const tokens = markdown.parse(split.body, {})
  const lines = split.body.split('\n')
  let title: string | undefined
  const headings: Heading[] = []
  const steps: RunbookStep[] = []
  tokens.forEach((token, index) => {
    if (token.type === 'heading_open' && token.tag === 'h1') title ??= inlineText(tokens, index)
    if (token.type === 'heading_open' && token.tag === 'h2') headings.push({ name: inlineText(tokens, index), line: startLine(token) })
    if (token.type !== 'fence') return
    const section = headings.at(-1)?.name ?? ''
    const read = readStep(file, { info: token.info, code: token.content, line: startLine(token), section })
    problems.push(...read.problems)
    if (read.step !== undefined) steps.push(read.step)
  })
  const sections = sectionsOf(headings, lines)
  const lastWritten = lines.findLastIndex((line) => line.trim() !== '') + 1
  problems.push(...sectionProblems(file, sections, Math.max(lastWritten, 1)), ...duplicateSteps(file, steps))
  const sorted = sortRunbookProblems(problems)
  if (front.frontMatter === undefined || sorted.some((p) => p.severity === 'error')) return { problems: sorted, lineOf: front.lineOf }
  const runbook: Runbook = { ...front.frontMatter, file, title: title ?? front.frontMatter.id, sections, steps, source: text }
  return { runbook, problems: sorted, lineOf: front.lineOf }
}

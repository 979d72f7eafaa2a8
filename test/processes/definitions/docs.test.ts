// docs/process-definitions.md is the format's reference: every schema field must appear in
// it, and its annotated example must be a valid definition.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { checkDefinitionTexts, ProcessDefinitionSchema } from '../../../processes/index.ts'

const doc = readFileSync('docs/process-definitions.md', 'utf8')

/** Every property name anywhere in a JSON Schema (through anyOf, items, patternProperties). */
function propertyNames(schema: unknown): Set<string> {
  const names = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (typeof node !== 'object' || node === null) return
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && typeof value === 'object' && value !== null) for (const name of Object.keys(value)) names.add(name)
      visit(value)
    }
  }
  visit(schema)
  return names
}

describe('docs/process-definitions.md', () => {
  it('documents every field of the schema', () => {
    const names = [...propertyNames(ProcessDefinitionSchema)]
    expect(names.length).toBeGreaterThan(50)
    // In a code span of its own (`min`) or as the key of one (`{pattern: ...}`).
    const documented = (name: string): boolean => new RegExp(`\`\\{?${name}[\`:]`).test(doc)
    expect(names.filter((name) => !documented(name))).toEqual([])
  })

  it('shows an annotated example that loads without problems', () => {
    const example = /## A complete, annotated example[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1]
    expect(example).toBeDefined()
    const load = checkDefinitionTexts([{ file: 'docs/process-definitions.md', text: example ?? '' }])
    expect(load.ok ? load.warnings : load.problems).toEqual([])
    expect(load.ok && load.definitions[0]?.name).toBe('order_to_cash')
  })
})

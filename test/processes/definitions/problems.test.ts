// Every check of a definition reports the file, the line and the field a person must fix.
// Each case changes one line of BASE, so the expected line numbers are those on the left.
import { describe, expect, it } from 'vitest'
import { checkDefinitionTexts, type DefinitionProblem, type ProblemCodeValue } from '../../../processes/index.ts'

const BASE = [
  /*  1 */ 'name: orders',
  /*  2 */ 'version: 1',
  /*  3 */ 'root_key: order_id',
  /*  4 */ 'keys:',
  /*  5 */ '  - type: order_id',
  /*  6 */ '  - type: delivery_id',
  /*  7 */ '  - type: customer_id',
  /*  8 */ '    role: reference',
  /*  9 */ 'milestones:',
  /* 10 */ '  - name: order.created',
  /* 11 */ '  - name: order.shipped',
  /* 12 */ '  - name: order.cancelled',
  /* 13 */ 'start: [order.created]',
  /* 14 */ 'terminal:',
  /* 15 */ '  - { milestone: order.shipped, outcome: completed }',
  /* 16 */ '  - { milestone: order.cancelled, outcome: cancelled }',
  /* 17 */ 'flow:',
  /* 18 */ '  edges:',
  /* 19 */ '    - { from: order.created, to: [order.shipped, order.cancelled] }',
  /* 20 */ '  mandatory: [order.created]',
  /* 21 */ 'rework: { activities: [order.created] }',
  /* 22 */ 'children: [{ key: delivery_id, parent_key: order_id, milestones: [order.shipped] }]',
  /* 23 */ 'slas: [{ name: ship_in_a_day, target: 1d }]',
  /* 24 */ 'stages: [{ after: order.created, threshold: 4h }]',
]

/** BASE with the given lines (1-based) replaced. */
const withLines = (lines: Readonly<Record<number, string>>): string => BASE.map((text, index) => lines[index + 1] ?? text).join('\n')
const withLine = (n: number, text: string): string => withLines({ [n]: text })

type Seen = Pick<DefinitionProblem, 'severity' | 'code' | 'file' | 'line' | 'field'>

function problemsOf(...files: Array<[file: string, text: string]>): { seen: Seen[]; messages: string[] } {
  const load = checkDefinitionTexts(files.map(([file, text]) => ({ file, text })))
  const problems = load.ok ? load.warnings : load.problems
  return {
    seen: problems.map(({ severity, code, file, line, field }) => ({ severity, code, file, line, field })),
    messages: problems.map((problem) => problem.message),
  }
}

const one = (text: string) => problemsOf(['orders.yaml', text])
const error = (code: ProblemCodeValue, line: number, field: string): Seen => ({ severity: 'error', code, file: 'orders.yaml', line, field })

describe('a valid definition', () => {
  it('loads without problems', () => {
    const load = checkDefinitionTexts([{ file: 'orders.yaml', text: BASE.join('\n') }])
    expect(load.ok && load.warnings).toEqual([])
  })
})

describe('references to names', () => {
  it('reports an unknown milestone in an edge at its position in the list, with a suggestion', () => {
    const { seen, messages } = one(withLine(19, '    - { from: order.created, to: [order.shipped, order.canceled] }'))
    expect(seen).toEqual([error('unknown_milestone', 19, 'flow.edges[0].to[1]')])
    expect(messages[0]).toBe("'order.canceled' is not a milestone of this process; did you mean 'order.cancelled'?")
  })

  it('reports unknown milestones in start, terminal, mandatory, rework, stages and SLAs', () => {
    expect(one(withLine(13, 'start: [order.create]')).seen).toContainEqual(error('unknown_milestone', 13, 'start[0]'))
    expect(one(withLine(15, '  - { milestone: order.shiped, outcome: completed }')).seen).toEqual([error('unknown_milestone', 15, 'terminal[0].milestone')])
    expect(one(withLine(20, '  mandatory: [order.created, order.packed]')).seen).toEqual([error('unknown_milestone', 20, 'flow.mandatory[1]')])
    expect(one(withLine(21, 'rework: { may_repeat: [order.paid] }')).seen).toEqual([error('unknown_milestone', 21, 'rework.may_repeat[0]')])
    expect(one(withLine(24, 'stages: [{ after: order.packed, threshold: 4h }]')).seen).toEqual([error('unknown_milestone', 24, 'stages[0].after')])
    expect(one(withLine(23, 'slas: [{ name: s, from: order.placed, target: 1d }]')).seen).toEqual([error('unknown_milestone', 23, 'slas[0].from')])
    expect(one(withLine(22, 'children: [{ key: delivery_id, parent_key: order_id, milestones: [delivery.created] }]')).seen).toEqual([
      error('unknown_milestone', 22, 'children[0].milestones[0]'),
    ])
  })

  it('reports an unknown key type as the root key and in a child object', () => {
    const root = one(withLine(3, 'root_key: order'))
    expect(root.seen).toEqual([error('unknown_key_type', 3, 'root_key')])
    expect(root.messages[0]).toContain("did you mean 'order_id'?")
    expect(one(withLine(22, 'children: [{ key: dlv, parent_key: order_id, milestones: [order.shipped] }]')).seen).toEqual([
      error('unknown_key_type', 22, 'children[0].key'),
    ])
  })

  it('refuses a reference key as the root key', () => {
    expect(one(withLine(3, 'root_key: customer_id')).seen).toEqual([error('bad_key_role', 3, 'root_key')])
  })

  it('refuses the root key as a child object', () => {
    const text = withLine(
      22,
      'children: [{ key: delivery_id, parent_key: order_id, milestones: [order.shipped] }, { key: order_id, parent_key: delivery_id, milestones: [order.shipped] }]',
    )
    expect(one(text).seen).toEqual([error('bad_key_role', 22, 'children[1].key')])
  })

  it('refuses child objects whose parent links loop', () => {
    const text = withLines({
      7: '  - type: parcel_id',
      8: '    role: instance',
      22: 'children: [{ key: delivery_id, parent_key: parcel_id, milestones: [order.shipped] }, { key: parcel_id, parent_key: delivery_id, milestones: [order.shipped] }]',
    })
    const { seen, messages } = one(text)
    expect(seen).toEqual([error('child_cycle', 22, 'children[0].parent_key'), error('child_cycle', 22, 'children[1].parent_key')])
    expect(messages[0]).toBe("parent links from 'delivery_id' loop back to 'delivery_id'; they must end at the root key")
  })
})

describe('duplicate names', () => {
  it('reports a second milestone of the same name, pointing at the first', () => {
    const { seen, messages } = one(withLine(12, '  - name: order.created'))
    expect(seen).toContainEqual(error('duplicate_name', 12, 'milestones[2].name'))
    expect(messages).toContain("milestone 'order.created' is already declared at line 10")
  })

  it('reports a process name defined in two files, at the second, naming the first', () => {
    const { seen, messages } = problemsOf(['a.yaml', BASE.join('\n')], ['b.yaml', BASE.join('\n')])
    expect(seen).toEqual([{ severity: 'error', code: 'duplicate_process', file: 'b.yaml', line: 1, field: 'name' }])
    expect(messages[0]).toMatch(/^process 'orders' is already defined at a\.yaml:1/)
  })

  it('reports a process name defined twice in one file of several documents', () => {
    const { seen } = one(`${BASE.join('\n')}\n---\n${BASE.join('\n')}`)
    expect(seen).toEqual([error('duplicate_process', 26, 'name')])
  })

  it('reports an attribute that would carry two key types', () => {
    const { seen } = one(withLine(6, '  - { type: delivery_id, attributes: [business.key.order_id] }'))
    expect(seen).toEqual([error('duplicate_name', 6, 'keys[1].attributes[0]')])
  })
})

describe('values', () => {
  it('reports a bad duration at its field', () => {
    const { seen, messages } = one(withLine(23, 'slas: [{ name: ship_in_a_day, target: a day }]'))
    expect(seen).toEqual([error('bad_duration', 23, 'slas[0].target')])
    expect(messages[0]).toMatch(/^'a day' is not a duration/)
    expect(one(withLine(24, 'stages: [{ after: order.created, threshold: { min: 4, k: 2 } }]')).seen).toEqual([
      error('invalid_value', 24, 'stages[0].threshold.min'),
    ])
  })

  it('takes positive integers and semver strings as versions and refuses the rest', () => {
    for (const good of ['version: 7', 'version: "12"', 'version: 1.4.0', 'version: 2.0.0-rc.1']) expect(one(withLine(2, good)).seen).toEqual([])
    for (const bad of ['version: 1.2', 'version: 0', 'version: v2', 'version: "1.4"'])
      expect(one(withLine(2, bad)).seen).toEqual([error('bad_version', 2, 'version')])
  })

  it('refuses business-time clocks without working hours', () => {
    expect(one(withLine(24, 'stages: [{ after: order.created, threshold: 4h, clock: business }]')).seen).toEqual([
      error('invalid_value', 24, 'stages[0].clock'),
    ])
  })

  it('reports an unknown field at its key, suggesting the field meant', () => {
    const { seen, messages } = one(withLine(24, 'stages: [{ after: order.created, treshold: 4h }]'))
    expect(seen).toEqual([error('missing_field', 24, 'stages[0].threshold'), error('unknown_field', 24, 'stages[0].treshold')])
    expect(messages[1]).toBe("is not a field here; did you mean 'threshold'?")
  })

  it('says which recogniser form is meant and what it lacks', () => {
    const text = withLine(11, '  - { name: order.shipped, recognised_by: [{ from: spans }, { from: log, service: wms }] }')
    const { seen } = one(text)
    expect(seen).toEqual([error('invalid_value', 11, 'milestones[1].recognised_by[0].from')])
    expect(one(withLine(11, '  - { name: order.shipped, recognised_by: [{ from: log, service: wms }] }')).seen).toEqual([
      error('empty_recogniser', 11, 'milestones[1].recognised_by[0]'),
    ])
  })
})

describe('reachability of terminal milestones', () => {
  it('is an error for a completed terminal no start reaches, and a warning for a cancelled one', () => {
    const { seen } = one(withLine(19, '    - { from: order.created, to: order.created }'))
    expect(seen).toEqual([
      error('unreachable_terminal', 15, 'terminal[0].milestone'),
      { ...error('unreachable_terminal', 16, 'terminal[1].milestone'), severity: 'warning' },
    ])
  })

  it('keeps a definition whose only finding is a warning loadable', () => {
    const load = checkDefinitionTexts([{ file: 'orders.yaml', text: withLine(19, '    - { from: order.created, to: order.shipped }') }])
    expect(load.ok).toBe(true)
    expect(load.ok && load.warnings.map((warning) => [warning.line, warning.field, warning.severity])).toEqual([[16, 'terminal[1].milestone', 'warning']])
  })
})

describe('YAML itself', () => {
  it('reports a repeated key at its line', () => {
    const { seen, messages } = one(withLine(13, 'name: again'))
    expect(seen).toEqual([error('yaml_syntax', 13, '(yaml)')])
    expect(messages).toEqual(['Map keys must be unique'])
  })

  it('reports only the first syntax error, where the parser noticed it, not its echoes', () => {
    // The unclosed [ of line 13 is noticed at the start of line 14.
    expect(one(withLine(13, 'start: [order.created')).seen).toEqual([error('yaml_syntax', 14, '(yaml)')])
    expect(one(withLine(5, '  - type: order_id\n  bad indent: [')).seen).toEqual([error('yaml_syntax', 6, '(yaml)')])
  })
})

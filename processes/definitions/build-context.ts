// The state shared while one YAML document becomes a ProcessDefinition: the problems found so
// far and the names declared, so every reference (an edge, an SLA, a child) is checked against
// them and a typo gets a "did you mean" instead of a silent miss at run time.
import { parseDuration } from '../../core/durations.ts'
import { keyType, milestoneName, type KeyType, type MilestoneName, type NameCheck } from './names.ts'
import { ProblemCode, type DefinitionProblem, type FieldPath, type ProblemCodeValue } from './problems.ts'
import type { SourceDocument } from './yaml-source.ts'

export class BuildContext {
  readonly source: SourceDocument
  readonly problems: DefinitionProblem[] = []
  readonly milestones = new Map<string, MilestoneName>()
  readonly keyTypes = new Map<string, KeyType>()

  constructor(source: SourceDocument) {
    this.source = source
  }

  error(code: ProblemCodeValue, path: FieldPath, message: string, at?: 'key' | 'value'): undefined {
    this.problems.push(this.source.problem('error', code, path, message, at))
    return undefined
  }

  warning(code: ProblemCodeValue, path: FieldPath, message: string): void {
    this.problems.push(this.source.problem('warning', code, path, message))
  }

  get failed(): boolean {
    return this.problems.some((problem) => problem.severity === 'error')
  }

  duration(text: string, path: FieldPath): number | undefined {
    const parsed = parseDuration(text)
    return parsed.ok ? parsed.ms : this.error(ProblemCode.badDuration, path, parsed.message)
  }

  /** Checks and brands a name; a refused name is reported and answers undefined. */
  name<T>(check: NameCheck<T>, path: FieldPath): T | undefined {
    return check.ok ? check.name : this.error(ProblemCode.badName, path, check.message)
  }

  /** A reference to a milestone declared under `milestones`. */
  milestone(text: string, path: FieldPath): MilestoneName | undefined {
    const known = this.milestones.get(text)
    if (known !== undefined) return known
    if (!milestoneName(text).ok) return this.name(milestoneName(text), path)
    return this.error(ProblemCode.unknownMilestone, path, `'${text}' is not a milestone of this process${suggestion(text, this.milestones.keys())}`)
  }

  milestoneList(texts: readonly string[], path: FieldPath): MilestoneName[] {
    return texts.flatMap((text, index) => this.milestone(text, [...path, index]) ?? [])
  }

  /** A reference to a key type declared under `keys`. */
  keyType(text: string, path: FieldPath): KeyType | undefined {
    const known = this.keyTypes.get(text)
    if (known !== undefined) return known
    if (!keyType(text).ok) return this.name(keyType(text), path)
    return this.error(ProblemCode.unknownKeyType, path, `'${text}' is not a key type declared under keys${suggestion(text, this.keyTypes.keys())}`)
  }

  /** Reports the second and later occurrence of a name in a list, pointing at the first. */
  unique(names: readonly string[], path: (index: number) => FieldPath, what: string): void {
    const firstAt = new Map<string, number>()
    names.forEach((name, index) => {
      const first = firstAt.get(name)
      if (first === undefined) firstAt.set(name, index)
      else this.error(ProblemCode.duplicateName, path(index), `${what} '${name}' is already declared at line ${this.source.lineOf(path(first))}`)
    })
  }
}

/** `; did you mean 'sales_order.created'?` when a declared name is a few edits away or starts with the text. */
export function suggestion(text: string, candidates: Iterable<string>): string {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(text.length / 4)) + 1
  for (const candidate of candidates) {
    // 'order' for 'order_id' is a shortened name, however many letters are missing.
    const shortened = text.length >= 3 && candidate.startsWith(text)
    const distance = shortened ? 1 : editDistance(text, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best === undefined ? '' : `; did you mean '${best}'?`
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/** Sets a property only when it has a value (exactOptionalPropertyTypes: absent, never undefined). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  const out: { [P in K]?: V } = {}
  if (value !== undefined) out[key] = value
  return out
}

/** Freezes plain data all the way down (descending into parts frozen already, whose children may not be). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

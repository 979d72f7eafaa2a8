// Turns a schema mismatch into problems a person can act on. Raw JSON Schema errors for a
// union list every branch's complaint ("must be string", "must be object", "must match
// anyOf"); here a union first picks the branch the author meant (by a discriminator such as
// `from: span`, by the keys written, or by the value's type) and explains only that one.
import { Compile } from 'typebox/compile'
import type { TSchema } from 'typebox'
import { ProblemCode, type FieldPath, type ProblemCodeValue } from './problems.ts'
import { suggestion } from './build-context.ts'

export interface SchemaIssue {
  readonly code: ProblemCodeValue
  readonly path: FieldPath
  readonly message: string
  readonly at: 'key' | 'value'
}

type Json = Readonly<Record<string, unknown>>

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const validators = new WeakMap<object, ReturnType<typeof Compile>>()

function check(schema: TSchema & Json, value: unknown): boolean {
  let validator = validators.get(schema)
  if (validator === undefined) {
    validator = Compile(schema)
    validators.set(schema, validator)
  }
  return validator.Check(value)
}

const schemaOf = (value: unknown): (TSchema & Json) | undefined => (isObject(value) ? value : undefined)
function schemasOf(value: unknown): Array<TSchema & Json> {
  const out: Array<TSchema & Json> = []
  if (Array.isArray(value)) for (const item of value) if (isObject(item)) out.push(item)
  return out
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `'${value}'`
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`
  return typeof value
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (value === null) return 'null'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

const typeFits = (schemaType: unknown, value: unknown): boolean => schemaType === jsonType(value) || (schemaType === 'number' && typeof value === 'number')

/** The field's description after the complaint: "must be a text, got number 120; a duration: '90s', ..." */
const described = (schema: Json): string => (typeof schema.description === 'string' ? `; ${schema.description}` : '')

/** What a leaf schema (text, number, literal) wants, said once with what it got. */
function leafMessage(schema: Json, value: unknown): string {
  if ('const' in schema) return `must be ${JSON.stringify(schema.const)}, got ${describe(value)}`
  if (typeof schema.type === 'string' && !typeFits(schema.type, value))
    return `must be ${TYPE_WORDS[schema.type] ?? schema.type}, got ${describe(value)}${described(schema)}`
  if (typeof value === 'string' && typeof schema.minLength === 'number' && value.length < schema.minLength) return 'must not be empty'
  if (typeof value === 'string' && typeof schema.pattern === 'string') return `${describe(value)} must match ${schema.pattern}${described(schema)}`
  const bounds = [
    typeof schema.minimum === 'number' ? `at least ${schema.minimum}` : '',
    typeof schema.exclusiveMinimum === 'number' ? `greater than ${schema.exclusiveMinimum}` : '',
    typeof schema.maximum === 'number' ? `at most ${schema.maximum}` : '',
    typeof schema.exclusiveMaximum === 'number' ? `less than ${schema.exclusiveMaximum}` : '',
  ].filter((bound) => bound !== '')
  if (bounds.length > 0) return `must be ${bounds.join(' and ')}, got ${describe(value)}`
  return `is not valid, got ${describe(value)}${described(schema)}`
}

/** The branch of a union the author most likely meant, or undefined when none fits at all. */
function chooseBranch(
  branches: ReadonlyArray<TSchema & Json>,
  value: unknown,
  path: FieldPath,
  issues: SchemaIssue[],
): (TSchema & Json) | 'reported' | undefined {
  if (isObject(value)) {
    const objects = branches.filter((branch) => branch.type === 'object')
    const discriminator = discriminatorOf(objects)
    if (discriminator !== undefined) {
      const chosen = objects.find((branch) => propertyConst(branch, discriminator) === value[discriminator])
      if (chosen !== undefined) return chosen
      const allowed = objects.map((branch) => JSON.stringify(propertyConst(branch, discriminator))).join(' or ')
      const got = value[discriminator] === undefined ? 'is missing' : `is ${describe(value[discriminator])}`
      issues.push({ code: ProblemCode.invalidValue, path: [...path, discriminator], message: `must be ${allowed}; it ${got}`, at: 'value' })
      return 'reported'
    }
    const overlap = (branch: Json): number => Object.keys(value).filter((key) => isObject(branch.properties) && key in branch.properties).length
    const best = [...objects].sort((a, b) => overlap(b) - overlap(a))[0]
    return best !== undefined && (objects.length === 1 || overlap(best) > 0) ? best : undefined
  }
  return branches.find((branch) => typeFits(branch.type, value))
}

const propertyConst = (branch: Json, property: string): unknown =>
  isObject(branch.properties) && isObject(branch.properties[property]) ? branch.properties[property].const : undefined

function discriminatorOf(objects: readonly Json[]): string | undefined {
  const first = objects[0]
  if (objects.length < 2 || first === undefined || !isObject(first.properties)) return undefined
  return Object.keys(first.properties).find((property) => objects.every((branch) => propertyConst(branch, property) !== undefined))
}

function explain(schema: TSchema & Json, value: unknown, path: FieldPath, issues: SchemaIssue[]): void {
  if (check(schema, value)) return
  const branches = schemasOf(schema.anyOf)
  if (branches.length > 0) {
    if (branches.every((branch) => 'const' in branch)) {
      const allowed = branches.map((branch) => JSON.stringify(branch.const)).join(', ')
      issues.push({ code: ProblemCode.invalidValue, path, message: `must be one of ${allowed}, got ${describe(value)}`, at: 'value' })
      return
    }
    const branch = chooseBranch(branches, value, path, issues)
    if (branch === 'reported') return
    if (branch !== undefined) return explain(branch, value, path, issues)
    issues.push({
      code: ProblemCode.invalidValue,
      path,
      message: `must be ${typeof schema.description === 'string' ? schema.description : 'one of the allowed forms'}, got ${describe(value)}`,
      at: 'value',
    })
    return
  }
  if (schema.type === 'object' && isObject(value)) return explainObject(schema, value, path, issues)
  if (schema.type === 'array' && Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      issues.push({ code: ProblemCode.invalidValue, path, message: `must list at least ${schema.minItems}${described(schema)}`, at: 'value' })
    }
    const items = schemaOf(schema.items)
    if (items !== undefined) value.forEach((item, index) => explain(items, item, [...path, index], issues))
    return
  }
  issues.push({ code: ProblemCode.invalidValue, path, message: leafMessage(schema, value), at: 'value' })
}

function explainObject(schema: Json, value: Json, path: FieldPath, issues: SchemaIssue[]): void {
  const properties = isObject(schema.properties) ? schema.properties : {}
  const required = Array.isArray(schema.required) ? schema.required : []
  for (const name of required) {
    if (typeof name === 'string' && value[name] === undefined) {
      const child = schemaOf(properties[name])
      issues.push({ code: ProblemCode.missingField, path: [...path, name], message: `is required${child === undefined ? '' : described(child)}`, at: 'value' })
    }
  }
  const patterned = isObject(schema.patternProperties) ? schemasOf(Object.values(schema.patternProperties))[0] : undefined
  for (const [key, child] of Object.entries(value)) {
    const childSchema = schemaOf(properties[key]) ?? patterned
    if (childSchema !== undefined) explain(childSchema, child, [...path, key], issues)
    else if (schema.additionalProperties === false) {
      issues.push({
        code: ProblemCode.unknownField,
        path: [...path, key],
        message: `is not a field here${suggestion(key, Object.keys(properties))}`,
        at: 'key',
      })
    }
  }
}

/** Problems of `value` against `schema`, each at the field it is about; empty when it fits. */
export function schemaIssues(schema: TSchema, value: unknown): SchemaIssue[] {
  const root = schemaOf(schema)
  if (root === undefined) throw new TypeError('schemaIssues needs an object schema')
  const issues: SchemaIssue[] = []
  if (!isObject(value)) {
    issues.push({
      code: ProblemCode.invalidValue,
      path: [],
      message: `a process definition must be a mapping of fields (name, version, milestones...), got ${describe(value)}`,
      at: 'value',
    })
    return issues
  }
  explain(root, value, [], issues)
  return issues
}

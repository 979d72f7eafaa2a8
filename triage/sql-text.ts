// Reads what a step's SQL says about itself without parsing SQL: its `{name:Type}`
// placeholders, whether it is one statement, and whether it tries to change the settings the
// runner owns. String literals, quoted identifiers and comments are blanked first, so a `{`,
// a `;` or a word inside them counts for nothing.
import { namesOwnFormat } from '../store/index.ts'

export interface Placeholder {
  readonly name: string
  readonly type: string
  /** Offset in the statement, for the line of a problem. */
  readonly offset: number
}

/** The statement with literals, quoted names and comments replaced by spaces (newlines kept). */
export function blankLiterals(sql: string): string {
  const out = sql.split('')
  const blank = (from: number, to: number): void => {
    for (let i = from; i < to; i++) if (out[i] !== '\n') out[i] = ' '
  }
  let i = 0
  while (i < sql.length) {
    const c = sql[i]!
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1
      while (j < sql.length) {
        if (sql[j] === '\\') j += 2
        else if (sql[j] === c && sql[j + 1] === c)
          j += 2 // '' inside '...'
        else if (sql[j] === c) break
        else j++
      }
      blank(i + 1, Math.min(j, sql.length))
      i = j + 1
    } else if (sql.startsWith('--', i) || c === '#') {
      const end = sql.indexOf('\n', i)
      const to = end === -1 ? sql.length : end
      blank(i, to)
      i = to
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2)
      const to = end === -1 ? sql.length : end + 2
      blank(i, to)
      i = to
    } else i++
  }
  return out.join('')
}

// `{name:Type}`; the type may hold parentheses and quoted text (DateTime64(3, 'UTC')), which
// the blanked text keeps the shape of.
const PLACEHOLDER = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^{}]+?)\s*\}/g

export function placeholders(sql: string): Placeholder[] {
  const code = blankLiterals(sql)
  return [...code.matchAll(PLACEHOLDER)].map((match) => {
    const typeStart = match.index + match[0].indexOf(':') + 1
    const typeEnd = match.index + match[0].length - 1
    return { name: match[1]!, type: sql.slice(typeStart, typeEnd).trim(), offset: match.index }
  })
}

/**
 * Settings the runner sets for every diagnostic (time limit, row limit, read-only): a step's
 * own SETTINGS clause could otherwise lift them.
 */
export const RUNNER_SETTINGS = [
  'readonly',
  'max_execution_time',
  'timeout_overflow_mode',
  'limit',
  'offset',
  'max_result_rows',
  'result_overflow_mode',
  'max_execution_time_leaf',
  'timeout_overflow_mode_leaf',
] as const

const SETTING_ASSIGNMENT = new RegExp(`\\b(${RUNNER_SETTINGS.join('|')})\\s*=`, 'i')

/** Why the statement cannot be a step's SQL, or undefined when it can. */
export function statementProblem(sql: string): string | undefined {
  const code = blankLiterals(sql)
  const body = code.replace(/[\s;]+$/, '')
  if (body.trim() === '') return 'the block holds no SQL'
  if (body.includes(';')) return 'one statement per step: the block holds more than one (a `;` before the end)'
  if (namesOwnFormat(body)) return 'the statement names its own FORMAT; the runner reads rows as JSONEachRow'
  const settings = /\bSETTINGS\b/i.exec(body)
  const owned = settings === null ? null : SETTING_ASSIGNMENT.exec(body.slice(settings.index))
  if (owned !== null) return `the statement sets ${owned[1]!.toLowerCase()}, which the runner owns; use the step's timeout and max_rows attributes`
  return undefined
}

/** The statement as it is sent: without trailing semicolons and comments (a FORMAT clause follows it). */
export const trimStatement = (sql: string): string => sql.slice(0, blankLiterals(sql).replace(/[\s;]+$/, '').length).trim()

/** 0-based count of line breaks before `offset`. */
export const linesBefore = (text: string, offset: number): number => text.slice(0, offset).split('\n').length - 1

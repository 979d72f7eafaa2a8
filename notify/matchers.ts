// Label matchers as Alertmanager writes them (`severity="critical"`, `process=~"order.*"`,
// `team!=ops`, `{a="b", c!~"x|y"}`), used by routes, inhibition rules and silences. A label an
// alert does not have reads as the empty string, so `team=""` matches alerts without a team.

export type LabelSet = Readonly<Record<string, string>>

export type MatchOperator = '=' | '!=' | '=~' | '!~'

export interface Matcher {
  readonly name: string
  readonly operator: MatchOperator
  readonly value: string
  matches(value: string): boolean
}

/** A matcher, or a message saying why it cannot be one (a regular expression that does not compile). */
export function matcher(name: string, operator: MatchOperator, value: string): Matcher | string {
  if (operator === '=' || operator === '!=') {
    const equal = operator === '='
    return { name, operator, value, matches: (v) => (v === value) === equal }
  }
  let pattern: RegExp
  try {
    // Anchored like Alertmanager's (RE2) matchers: the whole value must match.
    pattern = new RegExp(`^(?:${value})$`)
  } catch (err) {
    return `${name}${operator}${JSON.stringify(value)}: ${err instanceof Error ? err.message : String(err)}`
  }
  const positive = operator === '=~'
  return { name, operator, value, matches: (v) => pattern.test(v) === positive }
}

export function matchesAll(matchers: readonly Matcher[], labels: LabelSet): boolean {
  return matchers.every((m) => m.matches(labels[m.name] ?? ''))
}

const quote = (text: string): string => JSON.stringify(text)

/** `{a="b",c=~"d"}`: stable text for route ids and logs. */
export function matchersText(matchers: readonly Matcher[]): string {
  return `{${matchers.map((m) => `${m.name}${m.operator}${quote(m.value)}`).join(',')}}`
}

/** `{a="x",b="y"}` with names sorted: the label part of a group key. */
export function labelSetText(labels: LabelSet): string {
  const names = Object.keys(labels).sort()
  return `{${names.map((n) => `${n}=${quote(labels[n] ?? '')}`).join(',')}}`
}

const NAME = /[A-Za-z_][A-Za-z0-9_.]*/y
const OPERATOR = /!~|=~|!=|=/y

/**
 * Parses one matcher string as written in Alertmanager's `matchers:` lists: one or several
 * matchers, comma separated, optionally in braces; values quoted (with `\"` escapes) or bare.
 */
export function parseMatchers(text: string): Matcher[] | string {
  let at = 0
  const fail = (why: string): string => `${JSON.stringify(text)} is not a matcher: ${why} at column ${at + 1}`
  const skipSpace = (): void => {
    while (at < text.length && /\s/.test(text[at] ?? '')) at++
  }
  const sticky = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at
    const found = pattern.exec(text)?.[0]
    if (found !== undefined) at += found.length
    return found
  }
  skipSpace()
  const braced = text[at] === '{'
  if (braced) at++
  const out: Matcher[] = []
  while (true) {
    skipSpace()
    if (braced && text[at] === '}') break
    if (at >= text.length) break
    const name = text[at] === '"' ? readQuoted() : sticky(NAME)
    if (name === undefined) return fail('expected a label name')
    skipSpace()
    const operator = sticky(OPERATOR) as MatchOperator | undefined
    if (operator === undefined) return fail('expected one of = != =~ !~')
    skipSpace()
    const value = text[at] === '"' ? readQuoted() : readBare()
    if (value === undefined) return fail('unterminated quoted value')
    const made = matcher(name, operator, value)
    if (typeof made === 'string') return made
    out.push(made)
    skipSpace()
    if (text[at] === ',') at++
    else if (!(braced && text[at] === '}') && at < text.length) return fail('expected , between matchers')
  }
  if (braced) {
    if (text[at] !== '}') return fail('expected }')
    at++
    skipSpace()
  }
  if (at < text.length) return fail('unexpected text after the matchers')
  if (out.length === 0) return fail('no matcher')
  return out

  function readQuoted(): string | undefined {
    let value = ''
    for (at++; at < text.length; at++) {
      const c = text[at]
      if (c === '"') {
        at++
        return value
      }
      if (c === '\\' && at + 1 < text.length) {
        at++
        const escaped = text[at]
        value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : (escaped ?? '')
      } else value += c
    }
    return undefined
  }

  function readBare(): string {
    const start = at
    while (at < text.length && text[at] !== ',' && !(braced && text[at] === '}')) at++
    return text.slice(start, at).trim()
  }
}

/** A silence's matcher as stored in the silences table (Alertmanager's API shape). */
export interface StoredMatcher {
  readonly name: string
  readonly value: string
  readonly isRegex: boolean
  readonly isEqual?: boolean
}

export function storedMatcher(stored: StoredMatcher): Matcher | string {
  const equal = stored.isEqual ?? true
  const operator: MatchOperator = stored.isRegex ? (equal ? '=~' : '!~') : equal ? '=' : '!='
  return matcher(stored.name, operator, stored.value)
}

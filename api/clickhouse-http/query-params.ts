// `param_<name>` values as the engine binds them. ClickHouse reads a parameter's text in its
// escaped (TSV) form for scalar types and as a literal for composite ones (Array, Map, Tuple);
// chDB's binder takes a JS string and escapes it again, so the text is decoded first, into
// the value that escaping turns back into what the client meant.

/** `{name:Type}` placeholders of a statement: name -> type. */
export function placeholderTypes(sql: string): Map<string, string> {
  const types = new Map<string, string>()
  for (const match of sql.matchAll(/\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^{}]+?)\s*\}/g)) types.set(match[1]!, match[2]!)
  return types
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0', a: '\x07', v: '\v', e: '\x1b' }

/** One `\x` sequence at `text[at] === '\\'`: the character(s) it stands for and its length. */
function escapeAt(text: string, at: number): { readonly value: string; readonly length: number } {
  const next = text[at + 1]
  if (next === undefined) return { value: '\\', length: 1 }
  if (next === 'x' && /^[0-9A-Fa-f]{2}$/.test(text.slice(at + 2, at + 4)))
    return { value: String.fromCharCode(parseInt(text.slice(at + 2, at + 4), 16)), length: 4 }
  return { value: SIMPLE_ESCAPES[next] ?? next, length: 2 }
}

/** ClickHouse's escaped text (readEscapedString) as the string it stands for. */
export function unescapeText(text: string): string {
  let out = ''
  for (let i = 0; i < text.length;) {
    if (text[i] !== '\\') {
      out += text[i]
      i += 1
      continue
    }
    const { value, length } = escapeAt(text, i)
    out += value
    i += length
  }
  return out
}

/**
 * A composite literal (`['a\'b']`) in a form chDB's re-escaping keeps meaning the same: inside
 * quoted strings escapes become the characters themselves (chDB escapes them again) and a quote
 * becomes the SQL-style doubled quote, which needs no backslash.
 */
export function normaliseLiteral(text: string): string {
  let out = ''
  let quoted = false
  for (let i = 0; i < text.length;) {
    const c = text[i]!
    if (quoted && c === '\\') {
      const { value, length } = escapeAt(text, i)
      out += value === "'" ? "''" : value
      i += length
      continue
    }
    if (c === "'") quoted = !quoted
    out += c
    i += 1
  }
  return out
}

const COMPOSITE = /^(?:Nullable\(|LowCardinality\()*\s*(?:Array|Map|Tuple|Nested)\s*\(/i

/** The values to hand chDB's binder for the request's `param_` parameters (null is `\N`). */
export function engineParams(sql: string, raw: ReadonlyMap<string, string>): Record<string, string | null> {
  const types = placeholderTypes(sql)
  const out: Record<string, string | null> = {}
  for (const [name, text] of raw) {
    const type = types.get(name) ?? 'String'
    if (COMPOSITE.test(type)) out[name] = normaliseLiteral(text)
    else out[name] = text === '\\N' ? null : unescapeText(text)
  }
  return out
}

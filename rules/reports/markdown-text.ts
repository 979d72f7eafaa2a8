// Markdown built by hand, safely: every value that came from data (labels, summaries,
// diagnostic cells, comments) is escaped so it reads as text, never as Markdown syntax (a
// label cannot open a link, an image, or break a table), and tables are always well formed.

/** Characters with a meaning inline in CommonMark/GFM, backslash-escaped. */
const INLINE_SPECIALS = /[\\`*_[\]<>!~|&#]/g

function cellText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value)
    case 'object':
      return value === null ? '' : JSON.stringify(value)
    default:
      return ''
  }
}

export function mdText(value: unknown): string {
  const text = cellText(value)
  return text.replace(/\r\n|\r|\n/g, ' ').replace(INLINE_SPECIALS, (c) => `\\${c}`)
}

/** Markdown made here (escaped already), put into a table cell as it is. A class, so no parsed data can pass for one. */
export class MdFragment {
  readonly markdown: string
  constructor(markdown: string) {
    this.markdown = markdown
  }
}

/** A link whose text is escaped and whose destination cannot leave its angle brackets. */
export function mdLink(text: string, url: string): MdFragment {
  return new MdFragment(`[${mdText(text)}](<${encodeURI(url).replace(/[<>]/g, (c) => encodeURIComponent(c))}>)`)
}

/** A GFM table; cells are escaped here (pass raw values). An empty table says so instead. */
export function mdTable(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>, empty = '(none)'): string {
  if (rows.length === 0) return `_${mdText(empty)}_`
  const cell = (value: unknown): string => (value instanceof MdFragment ? value.markdown : mdText(value)) || ' '
  const line = (cells: readonly unknown[]): string => `| ${header.map((_, i) => cell(cells[i])).join(' | ')} |`
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n')
}

/** A time as a postmortem shows it: 2026-11-12 10:02:01 UTC. */
export function mdTime(iso: string | null): string {
  return iso === null ? '-' : `${iso.replace('T', ' ').replace(/\.000Z$|Z$/, '')} UTC`
}

// Drives saxes over a text stream and hands the caller's handlers each element with its
// line, yielding whatever records the handlers finished after each chunk: memory holds one
// chunk and the records it completed. Malformed XML (a truncated file) becomes an
// EventLogError naming the line.
import { SaxesParser } from 'saxes'
import type { Readable } from 'node:stream'
import { EventLogError } from './event-log-error.ts'
import { streamError } from './byte-source.ts'

export interface XmlHandlers {
  /** `name` without a namespace prefix; `line` is where the start tag ends. */
  open(name: string, attributes: Readonly<Record<string, string>>, line: number): void
  close(name: string, line: number): void
  text?(text: string): void
}

function localName(name: string): string {
  const colon = name.indexOf(':')
  return colon === -1 ? name : name.slice(colon + 1)
}

/** Parses `content` (a UTF-8 stream) and yields the records `take` returns after every chunk. */
export async function* readXmlRecords<T>(file: string, content: Readable, handlers: XmlHandlers, take: () => T[]): AsyncGenerator<T> {
  const parser = new SaxesParser<{ position: true; xmlns: false }>({ position: true, xmlns: false })
  parser.on('opentag', (tag) => handlers.open(localName(tag.name), tag.attributes, parser.line))
  parser.on('closetag', (tag) => handlers.close(localName(tag.name), parser.line))
  const onText = handlers.text?.bind(handlers)
  if (onText) parser.on('text', onText)
  const malformed = (error: unknown): Error => {
    if (error instanceof EventLogError) return error
    // saxes says "line:column: message"; keep its words, put the line where ours go.
    const message = (error as Error).message.replace(/^\d+:\d+:\s*/, '')
    return new EventLogError('malformed', { file, line: parser.line }, `is not well-formed XML (column ${parser.column}): ${message}`, { cause: error })
  }
  content.setEncoding('utf8')
  let first = true
  try {
    for await (const chunk of content) {
      const text = String(chunk)
      try {
        parser.write(first ? text.replace(/^\uFEFF/, '') : text)
      } catch (error) {
        throw malformed(error)
      }
      first = false
      yield* take()
    }
  } catch (error) {
    throw streamError(file, error)
  }
  try {
    parser.close()
  } catch (error) {
    throw malformed(error)
  }
  yield* take()
}

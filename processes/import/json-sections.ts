// Streams the members of chosen top-level arrays of a JSON document ({"events": [...]}) one
// element at a time, without parsing the rest: memory holds one element, not the file.
// JSON.parse checks each element; a file that stops early is reported with its line.

export interface JsonElement {
  readonly section: string
  readonly index: number
  /** The line the element starts on. */
  readonly line: number
  readonly text: string
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const NEWLINE = 0x0a

export class JsonSectionScanner {
  private readonly wanted: ReadonlySet<string>
  private depth = 0
  private inString = false
  private escaped = false
  private line = 1
  /** Root level: whether a key comes next, the key being read, and the last key read. */
  private expectKey = false
  private keyText: string | undefined
  private lastKey = ''
  /** The wanted array we are inside, and the element being captured from it. */
  private section: string | undefined
  private index = 0
  private capturing = false
  private pieces: string[] = []
  private captureFrom = 0
  private elementLine = 0
  /** Sections whose closing bracket has been read. */
  readonly finished = new Set<string>()

  constructor(sections: Iterable<string>) {
    this.wanted = new Set(sections)
  }

  get currentLine(): number {
    return this.line
  }

  /** Feeds the next piece of text; returns the elements it completed. */
  feed(chunk: string): JsonElement[] {
    const done: JsonElement[] = []
    this.captureFrom = 0
    for (let i = 0; i < chunk.length; i += 1) {
      const code = chunk.charCodeAt(i)
      if (code === NEWLINE) this.line += 1
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (code === BACKSLASH) this.escaped = true
        else if (code === QUOTE) {
          this.inString = false
          if (this.keyText !== undefined) this.lastKey = String(JSON.parse(`"${this.keyText}"`))
          this.keyText = undefined
          continue
        }
        if (this.keyText !== undefined) this.keyText += chunk[i]
        continue
      }
      const char = chunk[i]!
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r') continue
      if (this.section !== undefined && this.depth === 2 && !this.capturing && char !== ',' && char !== ']') {
        if (char !== '{') throw new Error(`"${this.section}"[${this.index}] is not an object`)
        this.capturing = true
        this.captureFrom = i
        this.elementLine = this.line
      }
      if (char === '"') {
        this.inString = true
        if (this.depth === 1 && this.expectKey) this.keyText = ''
      } else if (char === '{' || char === '[') {
        if (this.depth === 1 && char === '[' && !this.expectKey && this.wanted.has(this.lastKey)) {
          this.section = this.lastKey
          this.index = 0
        }
        this.depth += 1
        if (this.depth === 1) this.expectKey = true
      } else if (char === '}' || char === ']') {
        this.depth -= 1
        if (this.capturing && this.depth === 2) {
          this.pieces.push(chunk.slice(this.captureFrom, i + 1))
          done.push({ section: this.section ?? '', index: this.index, line: this.elementLine, text: this.pieces.join('') })
          this.index += 1
          this.pieces = []
          this.capturing = false
        } else if (this.depth === 1 && this.section !== undefined) {
          this.finished.add(this.section)
          this.section = undefined
        }
      } else if (this.depth === 1 && (char === ',' || char === ':')) {
        this.expectKey = char === ','
      }
    }
    if (this.capturing) this.pieces.push(chunk.slice(this.captureFrom))
    return done
  }

  /** Throws when the document stopped inside a value (a truncated file). */
  end(): void {
    if (this.depth !== 0 || this.inString) {
      throw new Error(`the JSON stops inside ${this.section === undefined ? 'the document' : `"${this.section}"`} (truncated file?)`)
    }
  }
}

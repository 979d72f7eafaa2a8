// Reads a definition file into YAML documents that remember where each field was written,
// so a problem found later in the plain value can name its line. Several documents per
// file (separated by ---) are allowed; anchors, aliases and << merges work as YAML says.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml'
import { fieldName, ProblemCode, type DefinitionProblem, type FieldPath, type ProblemCodeValue, type Severity } from './problems.ts'

export interface SourceDocument {
  readonly file: string
  /** The document as plain data (maps -> objects, sequences -> arrays). */
  readonly value: unknown
  /** The line of `path` (its key with `at: 'key'`), or of the nearest enclosing field written. */
  lineOf(path: FieldPath, at?: 'key' | 'value'): number
  /** A problem at `path`, with its line. */
  problem(severity: Severity, code: ProblemCodeValue, path: FieldPath, message: string, at?: 'key' | 'value'): DefinitionProblem
}

export interface SourceFile {
  readonly documents: readonly SourceDocument[]
  /** YAML syntax problems; a document with an error is not in `documents`. */
  readonly problems: readonly DefinitionProblem[]
}

type ParsedDocument = Document.Parsed

function childNode(document: ParsedDocument, node: unknown, part: string | number): { node: unknown; keyNode?: Node } | undefined {
  const target = isAlias(node) ? node.resolve(document) : node
  if (isMap(target)) {
    // Scan backwards: with << merges the later, explicit key is the one that counts.
    for (let i = target.items.length - 1; i >= 0; i--) {
      const pair = target.items[i]!
      if (isScalar(pair.key) && String(pair.key.value) === String(part)) return { node: pair.value ?? pair.key, keyNode: pair.key }
    }
    return undefined
  }
  if (isSeq(target) && typeof part === 'number') {
    const item = target.items[part]
    return item === undefined ? undefined : { node: item }
  }
  return undefined
}

function startOf(node: unknown): number | undefined {
  if (isAlias(node) || isMap(node) || isSeq(node) || isScalar(node)) return node.range?.[0]
  return undefined
}

function sourceDocument(file: string, document: ParsedDocument, lines: LineCounter): SourceDocument {
  const lineAt = (offset: number): number => lines.linePos(offset).line
  const documentLine = lineAt(startOf(document.contents) ?? document.range[0])
  const lineOf = (path: FieldPath, at: 'key' | 'value' = 'value'): number => {
    let node: unknown = document.contents
    let line = documentLine
    for (const [index, part] of path.entries()) {
      const child = childNode(document, node, part)
      if (child === undefined) return line
      const isLast = index === path.length - 1
      const anchor = isLast && at === 'key' && child.keyNode !== undefined ? child.keyNode : child.node
      const offset = startOf(anchor)
      if (offset !== undefined) line = lineAt(offset)
      node = child.node
    }
    return line
  }
  return {
    file,
    value: document.toJS({ maxAliasCount: 1000 }),
    lineOf,
    problem: (severity, code, path, message, at) => ({ severity, code, file, line: lineOf(path, at), field: fieldName(path), message }),
  }
}

export function readSourceFile(file: string, text: string): SourceFile {
  const lines = new LineCounter()
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true })
  // parseAllDocuments answers an EmptyStream (an array with no documents) for a blank file.
  const documents: SourceDocument[] = []
  const problems: DefinitionProblem[] = []
  for (const document of parsed) {
    if (document.errors.length > 0) {
      // After the first syntax error the parser's further complaints are mostly echoes of it;
      // repeated keys are independent, so each is kept.
      const first = document.errors.find((error) => error.code !== 'DUPLICATE_KEY')
      for (const error of document.errors.filter((error) => error.code === 'DUPLICATE_KEY' || error === first)) {
        const line = error.linePos?.[0].line ?? lines.linePos(error.pos[0]).line
        problems.push({
          severity: 'error',
          code: ProblemCode.yamlSyntax,
          file,
          line,
          field: '(yaml)',
          message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
        })
      }
      continue
    }
    if (document.contents === null) continue
    documents.push(sourceDocument(file, document, lines))
  }
  return { documents, problems }
}

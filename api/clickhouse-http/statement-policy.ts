// What a statement on this interface may read, decided on ClickHouse's own parse of it
// (EXPLAIN AST), not on the text: SELECT, DESCRIBE and SHOW TABLES/DATABASES; tables of the
// store's database and the few system tables Grafana's ClickHouse plugin reads; table
// functions that generate rows rather than reach files, URLs or other servers.
import { ACCESS_DENIED, clickHouseError, READONLY } from './errors.ts'

export interface AstNode {
  readonly kind: string
  /** What follows the kind on its line, without `(alias x)` and `(children N)`. */
  readonly text: string
  readonly children: AstNode[]
}

/** EXPLAIN AST's indented lines (one space per level) as a tree. */
export function parseAst(explained: string): AstNode {
  const root: AstNode = { kind: '(root)', text: '', children: [] }
  const stack: Array<{ depth: number; node: AstNode }> = [{ depth: -1, node: root }]
  for (const line of explained.split('\n')) {
    if (line.trim() === '') continue
    const depth = line.length - line.trimStart().length
    const body = line.trim().replace(/ \(children \d+\)$/, '')
    const space = body.indexOf(' ')
    const kind = space < 0 ? body : body.slice(0, space)
    const text = space < 0 ? '' : body.slice(space + 1).replace(/ \(alias [^)]*\)$/, '')
    const node: AstNode = { kind, text, children: [] }
    while (stack.at(-1)!.depth >= depth) stack.pop()
    stack.at(-1)!.node.children.push(node)
    stack.push({ depth, node })
  }
  const [statement] = root.children
  if (statement === undefined || root.children.length > 1) throw new Error('EXPLAIN AST did not answer one statement')
  return statement
}

export interface StatementPolicy {
  /** The store's database: its tables are all readable. */
  readonly database: string
  /** Readable `system.` tables (without the prefix). */
  readonly systemTables: ReadonlySet<string>
  /** Databases that exist, so `db.table` is told apart from `alias.column`. */
  readonly databases: ReadonlySet<string>
}

/** What Grafana's ClickHouse plugin and the clients' handshakes read. */
export const GRAFANA_SYSTEM_TABLES: ReadonlySet<string> = new Set(['one', 'databases', 'tables', 'columns', 'functions'])

const STATEMENTS = new Set(['SelectWithUnionQuery', 'SelectIntersectExceptQuery', 'DescribeQuery', 'ShowTables'])
/** Table functions that make rows out of their arguments only. */
const TABLE_FUNCTIONS = new Set(['numbers', 'numbers_mt', 'zeros', 'zeros_mt', 'generate_series', 'generateSeries', 'values', 'view', 'null'])
/** Scalar functions that read the local disk. */
const FUNCTIONS_DENIED = new Set(['file', 'catboostevaluate'])
const IN_FUNCTIONS = new Set(['in', 'notIn', 'globalIn', 'globalNotIn', 'nullIn', 'notNullIn', 'globalNullIn', 'globalNotNullIn'])

function denied(message: string): never {
  throw clickHouseError(ACCESS_DENIED, `${message} on this read-only interface`)
}

/** `db.table` or `table`; a name that names another database than the store's must be allowed. */
function checkTable(name: string, policy: StatementPolicy, asTable: boolean): void {
  const dot = name.indexOf('.')
  if (dot < 0) return // the current database, which is the store's
  const database = name.slice(0, dot)
  const rest = name.slice(dot + 1)
  if (!asTable && !policy.databases.has(database)) return // alias.column
  if (database === policy.database) return
  const table = asTable ? rest : rest.split('.')[0]!
  if (database === 'system' && policy.systemTables.has(table)) return
  denied(
    `reading ${database}.${table} is not allowed (readable: the tables of ${policy.database}, ${[...policy.systemTables].map((t) => `system.${t}`).join(', ')})`,
  )
}

function walk(node: AstNode, policy: StatementPolicy, parent: AstNode | undefined): void {
  if (node.kind === 'TableIdentifier') checkTable(node.text, policy, true)
  else if (node.kind === 'Identifier' && node.text.includes('.')) checkTable(node.text, policy, false)
  else if (node.kind === 'Function') {
    if (parent?.kind === 'TableExpression' && !TABLE_FUNCTIONS.has(node.text)) denied(`the table function ${node.text}() is not allowed`)
    if (FUNCTIONS_DENIED.has(node.text.toLowerCase())) denied(`the function ${node.text}() is not allowed`)
    if (IN_FUNCTIONS.has(node.text)) {
      // `x IN db.table` names a table with a plain identifier.
      const table = node.children[0]?.children[1]
      if (table?.kind === 'Identifier') checkTable(table.text, policy, true)
    }
  }
  for (const child of node.children) walk(child, policy, node)
}

/** Throws READONLY for what is not a read, ACCESS_DENIED for reads beyond the policy. */
export function checkStatement(statement: AstNode, policy: StatementPolicy): void {
  if (!STATEMENTS.has(statement.kind)) {
    throw clickHouseError(
      READONLY,
      `Cannot execute query in readonly mode: only SELECT, DESCRIBE and SHOW TABLES/DATABASES run on this interface (got ${statement.kind})`,
    )
  }
  // A Literal right under a SELECT is its INTO OUTFILE target: a write to the local disk.
  if (statement.kind !== 'DescribeQuery' && statement.children.some((child) => child.kind === 'Literal')) {
    throw clickHouseError(READONLY, 'Cannot execute query in readonly mode: INTO OUTFILE writes a file')
  }
  if (statement.kind === 'ShowTables') {
    const from = statement.children.find((child) => child.kind === 'Identifier')
    if (from !== undefined && from.text !== policy.database && from.text !== 'system') denied(`listing the tables of ${from.text} is not allowed`)
    return
  }
  walk(statement, policy, undefined)
}

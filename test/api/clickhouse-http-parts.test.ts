// The HTTP interface's pure parts: parameter texts as the engine must bind them, EXPLAIN AST
// read into a tree and judged by the policy, and the bound on queries running at once.
import { describe, expect, it } from 'vitest'
import { ClickHouseHttpError } from '../../api/index.ts'
import { engineParams, normaliseLiteral, unescapeText } from '../../api/clickhouse-http/query-params.ts'
import { QuerySlots } from '../../api/clickhouse-http/query-slots.ts'
import { checkStatement, GRAFANA_SYSTEM_TABLES, parseAst } from '../../api/clickhouse-http/statement-policy.ts'

const policy = { database: 'default', systemTables: GRAFANA_SYSTEM_TABLES, databases: new Set(['default', 'system', 'information_schema']) }

function refusal(explained: string): number | undefined {
  try {
    checkStatement(parseAst(explained), policy)
    return undefined
  } catch (error) {
    if (error instanceof ClickHouseHttpError) return error.code
    throw error
  }
}

describe('query parameters', () => {
  it('decode escaped scalar texts and keep composite literals meaning the same after chDB re-escapes them', () => {
    // `it\'s\ttab` in escaped form is it's<TAB>tab; \N alone is NULL.
    expect(unescapeText("it\\'s\\ttab\\x41")).toBe("it's\ttabA")
    expect(normaliseLiteral("['x\\'y','a\\\\b']")).toBe("['x''y','a\\b']")
    expect(
      engineParams(
        'SELECT {s:String}, {a:Array(String)}, {n:Nullable(String)}',
        new Map([
          ['s', 'a\\tb'],
          ['a', "['q\\'']"],
          ['n', '\\N'],
        ]),
      ),
    ).toEqual({
      s: 'a\tb',
      a: "['q''']",
      n: null,
    })
  })
})

describe('statement policy', () => {
  const select = (table: string): string =>
    [
      'SelectWithUnionQuery (children 1)',
      ' ExpressionList (children 1)',
      '  SelectQuery (children 2)',
      '   ExpressionList (children 1)',
      '    Asterisk',
      '   TablesInSelectQuery (children 1)',
      '    TablesInSelectQueryElement (children 1)',
      '     TableExpression (children 1)',
      `      ${table}`,
    ].join('\n')

  it('reads the store database, the allowed system tables and generating table functions', () => {
    expect(refusal(select('TableIdentifier otel_traces'))).toBeUndefined()
    expect(refusal(select('TableIdentifier default.otel_traces (alias t)'))).toBeUndefined()
    expect(refusal(select('TableIdentifier system.columns'))).toBeUndefined()
    expect(refusal(select('Function numbers (children 1)'))).toBeUndefined()
  })

  it('refuses other system tables and databases, outside table functions and writes', () => {
    expect(refusal(select('TableIdentifier system.users'))).toBe(497)
    expect(refusal(select('TableIdentifier information_schema.tables'))).toBe(497)
    expect(refusal(select('Function s3 (children 1)'))).toBe(497)
    expect(refusal('InsertQuery (children 1)\n Identifier t')).toBe(164)
    expect(refusal('CreateQuery  t (children 1)')).toBe(164)
  })
})

describe('query slots', () => {
  it('lets `limit` run, queues up to maxWaiting and refuses the rest with 202', async () => {
    const slots = new QuerySlots(1, 1)
    const first = await slots.acquire()
    const second = slots.acquire()
    await expect(slots.acquire()).rejects.toMatchObject({ code: 202, type: 'TOO_MANY_SIMULTANEOUS_QUERIES' })
    first()
    const release = await second
    release()
    ;(await slots.acquire())()
  })
})

// The output format of a statement and the Content-Type ClickHouse's server sends with it.

/** The format named by the statement's own FORMAT clause, from its normalised text (formatQuery). */
export function ownFormat(normalised: string): string | undefined {
  return /\sFORMAT\s+([A-Za-z][A-Za-z0-9]*)$/.exec(normalised)?.[1]
}

/** The normalised statement without its FORMAT clause (EXPLAIN AST takes the statement alone). */
export function withoutFormat(normalised: string): string {
  return normalised.replace(/\sFORMAT\s+[A-Za-z][A-Za-z0-9]*$/, '')
}

const TEXT = 'text/plain; charset=UTF-8'

export function contentType(format: string): string {
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8'
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8; header=present'
  if (/^(JSONEachRow|JSONStringsEachRow|JSONCompactEachRow|JSONLines|NDJSON)/i.test(format)) return 'application/x-ndjson; charset=UTF-8'
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8'
  if (/^(Native|RowBinary|Parquet|Arrow|ArrowStream|ORC|Avro|Protobuf|MsgPack|CapnProto|BSONEachRow|Npy)/i.test(format)) return 'application/octet-stream'
  if (/^XML$/i.test(format)) return 'application/xml; charset=UTF-8'
  return TEXT
}

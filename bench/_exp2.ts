import { createChdbConnection } from 'chdb/connection'
import { decodeTracesProtobuf } from '../collector/otlp/index.ts'
import { resolveConfig } from '../core/config.ts'
import { spanRowJson, dateTime64Text } from '../store/row-format.ts'
import type { SpanRow } from '../store/rows.ts'
import { migrate, createStoreClient } from '../store/index.ts'
import { integrationSpanRequests } from './ingest-requests.ts'
import { tempDir } from '../test/support/temp-dir.ts'
const dir = tempDir('exp')
const config = resolveConfig({ dataDir: dir.path })
const st = createStoreClient(config); await migrate(st, config)
const conn: any = createChdbConnection({ path: dir.path + '/clickhouse' })
const N = 20
const bodies = integrationSpanRequests(N, 1000)
const limits = { maxAttributesPerRecord: 128, maxAttributeValueBytes: 8192, maxFutureSkewSeconds: 86400, nowNs: BigInt(Date.now()) * 1000000n }
const rows: SpanRow[] = []
for (const b of bodies) { const d = decodeTracesProtobuf(Buffer.from(b), limits); if (!d.ok) throw 1; rows.push(...d.rows) }
const q = (s: string) => "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'"
const tsvEsc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')
const map = (m: Record<string,string>) => '{' + Object.entries(m).map(([k, v]) => q(k) + ':' + q(v)).join(',') + '}'
const arr = (a: string[]) => '[' + a.map(q).join(',') + ']'
function tsv(r: SpanRow): string {
  return [dateTime64Text(r.timestampNs), r.traceId, r.spanId, r.parentSpanId, tsvEsc(r.traceState), tsvEsc(r.spanName), r.spanKind, tsvEsc(r.serviceName), tsvEsc(map(r.resourceAttributes)), tsvEsc(r.scopeName), tsvEsc(r.scopeVersion), tsvEsc(map(r.spanAttributes)), String(r.durationNs), r.statusCode, tsvEsc(r.statusMessage),
    tsvEsc(arr(r.events.map(e => dateTime64Text(e.timestampNs)))), tsvEsc(arr(r.events.map(e => e.name))), tsvEsc('[' + r.events.map(e => map(e.attributes)).join(',') + ']'),
    tsvEsc(arr(r.links.map(l => l.traceId))), tsvEsc(arr(r.links.map(l => l.spanId))), tsvEsc(arr(r.links.map(l => l.traceState))), tsvEsc('[' + r.links.map(l => map(l.attributes)).join(',') + ']')].join('\t') + '\n'
}
const cols = ['Timestamp','TraceId','SpanId','ParentSpanId','TraceState','SpanName','SpanKind','ServiceName','ResourceAttributes','ScopeName','ScopeVersion','SpanAttributes','Duration','StatusCode','StatusMessage','Events.Timestamp','Events.Name','Events.Attributes','Links.TraceId','Links.SpanId','Links.TraceState','Links.Attributes']
let t = performance.now()
const jsonBuf = Buffer.from(rows.map(spanRowJson).join(''))
console.log('serialize json', (performance.now() - t).toFixed(0), 'ms', jsonBuf.length)
t = performance.now()
const tsvBuf = Buffer.from(rows.map(tsv).join(''))
console.log('serialize tsv', (performance.now() - t).toFixed(0), 'ms', tsvBuf.length)
const n = rows.length
await conn.chdb.queryAsync("CREATE TABLE nothing (Timestamp DateTime64(9), TraceId String, SpanId String, ParentSpanId String, TraceState String, SpanName LowCardinality(String), SpanKind LowCardinality(String), ServiceName LowCardinality(String), ResourceAttributes Map(LowCardinality(String), String), ScopeName String, ScopeVersion String, SpanAttributes Map(LowCardinality(String), String), Duration UInt64, StatusCode LowCardinality(String), StatusMessage String, Events Nested(Timestamp DateTime64(9), Name LowCardinality(String), Attributes Map(LowCardinality(String), String)), Links Nested(TraceId String, SpanId String, TraceState String, Attributes Map(LowCardinality(String), String))) ENGINE=Null")
for (const [table, fmt, buf] of [['nothing','JSONEachRow',jsonBuf],['nothing','TSV',tsvBuf],['otel_traces','JSONEachRow',jsonBuf],['otel_traces','TSV',tsvBuf],['otel_traces','TSV',tsvBuf],['otel_traces','JSONEachRow',jsonBuf]] as const) {
  t = performance.now()
  await conn.chdb.rawInsert({ table, values: buf, format: fmt, columns: fmt === 'TSV' ? cols : undefined, settings: { insert_deduplication_token: String(Math.random()) } })
  console.log(table, fmt, Math.round(n / ((performance.now() - t) / 1000)), 'rows/s')
}
import { writeFileSync } from 'node:fs'
writeFileSync(dir.path + '/seg.jsonl', jsonBuf)
writeFileSync(dir.path + '/seg.tsv', tsvBuf)
const structure = "Timestamp DateTime64(9), TraceId String, SpanId String, ParentSpanId String, TraceState String, SpanName String, SpanKind String, ServiceName String, ResourceAttributes Map(String, String), ScopeName String, ScopeVersion String, SpanAttributes Map(String, String), Duration UInt64, StatusCode String, StatusMessage String, \`Events.Timestamp\` Array(DateTime64(9)), \`Events.Name\` Array(String), \`Events.Attributes\` Array(Map(String, String)), \`Links.TraceId\` Array(String), \`Links.SpanId\` Array(String), \`Links.TraceState\` Array(String), \`Links.Attributes\` Array(Map(String, String))"
const colList = cols.map(c => '`' + c + '`').join(',')
import { readFileSync } from 'node:fs'
const base = readFileSync('store/sql/otel_traces.sql', 'utf8').split('\n').filter(l => !l.startsWith('--')).join('\n').replace('{{onCluster}}', '').replace('{{engine}}', 'MergeTree').replace('{{ttl}}', '')
const lines = base.split('\n')
const variants: Record<string, string> = {
  full: base,
  noindex: lines.filter(l => !l.trim().startsWith('INDEX')).join('\n').replace(/,\s*\n\)\nENGINE/, '\n)\nENGINE'),
  nomat: lines.filter(l => !l.includes('MATERIALIZED') && !l.includes('idx_business_keys') && !l.includes('idx_message_id')).join('\n'),
  lz4: base.replaceAll('ZSTD(1)', 'LZ4'),
  nomapidx: lines.filter(l => !l.includes('mapKeys(') && !l.includes('mapValues(R') && !l.includes('mapValues(S')).join('\n'),
}
for (const [name, sql] of Object.entries(variants)) {
  await conn.chdb.queryAsync(sql.replaceAll('{{table}}', 'v_' + name))
  for (let k = 0; k < 2; k++) {
    t = performance.now()
    await conn.chdb.queryAsync(`INSERT INTO v_${name} (${colList}) SETTINGS insert_deduplication_token='${Math.random()}' SELECT * FROM file('${dir.path}/seg.jsonl', 'JSONEachRow', '${structure}')`)
    console.log('variant', name, Math.round(n / ((performance.now() - t) / 1000)), 'rows/s')
  }
}
await st.close(); dir.remove()

-- otel_traces_trace_id_ts_mv: fills otel_traces_trace_id_ts on every insert into otel_traces,
-- as the exporter does (in cluster mode it reads and writes the shard-local tables).
-- Placeholders: {{table}} (the view), {{onCluster}}, {{source}}, {{target}}.
CREATE MATERIALIZED VIEW IF NOT EXISTS {{table}} {{onCluster}}
TO {{target}}
AS SELECT
    TraceId,
    min(toDateTime(Timestamp)) AS Start,
    max(toDateTime(Timestamp)) AS End
FROM {{source}}
WHERE TraceId != ''
GROUP BY TraceId

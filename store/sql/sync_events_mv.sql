-- sync_events_mv: fills sync_events on every insert into otel_traces with its sync spans, the
-- rows and values the sync lag KPI read from otel_traces before (in cluster mode it reads and
-- writes the shard-local tables).
-- Placeholders: {{table}} (the view), {{onCluster}}, {{target}}, {{select}} (sync_events_select.sql).
CREATE MATERIALIZED VIEW IF NOT EXISTS {{table}} {{onCluster}}
TO {{target}}
AS {{select}}

-- A min/max skip index on IngestedAt: parts are written in ingest order, so the deriver's
-- "rows ingested in the last seconds" reads only the newest parts, not the whole table.
-- Placeholders: {{table}}, {{onCluster}}. Local tables only (Distributed tables have no indexes).
ALTER TABLE {{table}} {{onCluster}}
    ADD INDEX IF NOT EXISTS idx_ingested_at IngestedAt TYPE minmax GRANULARITY 1

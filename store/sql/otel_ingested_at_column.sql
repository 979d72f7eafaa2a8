-- IngestedAt: when the row reached ClickHouse, for rows our collector writes and rows a stock
-- OpenTelemetry Collector writes alike. It is the deriver's cursor (ADR 0004) and the
-- observed_ts of the business events derived from the row. Rows stored before this column
-- existed compute now64() when read, so they always look newer than the deriver's cursor
-- window and are never derived live; `processes backfill` reaches them by Timestamp.
-- Placeholders: {{table}}, {{onCluster}}. Run on the local and the Distributed table.
ALTER TABLE {{table}} {{onCluster}}
    ADD COLUMN IF NOT EXISTS IngestedAt DateTime64(3, 'UTC') MATERIALIZED now64(3) CODEC(Delta, ZSTD(1))

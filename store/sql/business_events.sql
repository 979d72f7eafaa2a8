-- business_events: the business events of kpis.md's event model, one row per event_id per
-- process. Derived from spans, log records and posted events (the deriver, next), or loaded
-- from historical event logs (`throughline import`). ReplacingMergeTree on (Process, EventId):
-- senders and importers deliver at least once, readers use FINAL or argMax.
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (ReplacingMergeTree family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    Process LowCardinality(String),
    ProcessVersion LowCardinality(String),
    EventId String,
    -- Business time (when it happened in the source system) and when we received it.
    Ts DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    ObservedTs DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    Milestone LowCardinality(String),
    -- start | complete | other (XES lifecycle; derived events are complete)
    Lifecycle LowCardinality(String),
    Status LowCardinality(String),
    System LowCardinality(String),
    -- Key type -> value, one value per type; Objects keeps every related object (OCEL).
    Keys Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Objects Array(Tuple(type LowCardinality(String), id String, qualifier String)) CODEC(ZSTD(1)),
    OperationId String CODEC(ZSTD(1)),
    Attempt UInt16,
    Attrs Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    -- span | log | event | import
    Source LowCardinality(String),
    -- 'type=value' for every key, for lookups of an instance by any of its keys.
    KeyValues Array(String) MATERIALIZED arraySort(arrayMap((k, v) -> concat(k, '=', v), mapKeys(Keys), mapValues(Keys))),
    INDEX idx_key_values KeyValues TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = {{engine}}
PARTITION BY toYYYYMM(Ts)
ORDER BY (Process, EventId)
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 10000

-- alert_diagnostics: the results of a runbook's automatic diagnostics, run when an alert fires
-- and again when it resolves, attached to its episode (notification, API view, incident report).
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (MergeTree family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    At DateTime64(3, 'UTC'),
    EpisodeId String,
    Fingerprint String,
    Runbook LowCardinality(String),
    Step LowCardinality(String),
    -- fired | resolved | manual
    Phase LowCardinality(String),
    -- JSON array of row objects (at most the step's max_rows), and whether more existed.
    Rows String CODEC(ZSTD(1)),
    Truncated Bool,
    Error String,
    DurationMs UInt32
)
ENGINE = {{engine}}
PARTITION BY toYYYYMM(At)
ORDER BY (EpisodeId, At, Step)

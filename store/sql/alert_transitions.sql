-- alert_transitions: every state change of every alert, with its reason and the event time it
-- happened at: the alert's timeline and the source of MTTA / MTTR.
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (MergeTree family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    At DateTime64(3, 'UTC'),
    Fingerprint String,
    EpisodeId String,
    RuleId LowCardinality(String),
    Labels Map(LowCardinality(String), String),
    FromState LowCardinality(String),
    ToState LowCardinality(String),
    Reason LowCardinality(String),
    -- The evaluation that caused it: its event time and the value it measured.
    EventTimeMs Int64,
    Value Nullable(Float64),
    Details String CODEC(ZSTD(1))
)
ENGINE = {{engine}}
PARTITION BY toYYYYMM(At)
ORDER BY (RuleId, Fingerprint, At)

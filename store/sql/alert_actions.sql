-- alert_actions: what operators did: ack, unack, comment, silence, expire_silence, run_action
-- (a runbook action step), with who and when. Audited, never rewritten.
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (MergeTree family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    At DateTime64(3, 'UTC'),
    Action LowCardinality(String),
    Actor String,
    Fingerprint String,
    EpisodeId String,
    SilenceId String,
    Text String CODEC(ZSTD(1)),
    Details String CODEC(ZSTD(1))
)
ENGINE = {{engine}}
PARTITION BY toYYYYMM(At)
ORDER BY (Fingerprint, At)

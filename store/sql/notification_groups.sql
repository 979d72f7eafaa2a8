-- notification_groups: per (receiver, group) the timers of Alertmanager's grouping that must
-- survive a restart: when the group was first and last notified, what it held then, and the
-- thread to reply in. Latest Version wins.
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (ReplacingMergeTree(Version) family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    GroupKey String,
    Receiver LowCardinality(String),
    -- The group episode: a new one starts when a group that was fully resolved fires again.
    GroupEpisode String,
    FirstNotifiedMs Int64,
    LastNotifiedMs Int64,
    -- JSON: the fingerprints (and their states) the last notification reported.
    LastReported String CODEC(ZSTD(1)),
    ThreadRef String,
    Version UInt64
)
ENGINE = {{engine}}
ORDER BY (Receiver, GroupKey)

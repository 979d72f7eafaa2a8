-- notification_log: every notification, written as an intent BEFORE it is sent under a
-- deterministic idempotency key, then again when delivered or given up. After a restart the
-- intents without a delivery are reconciled, so nothing is sent twice or lost.
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (ReplacingMergeTree(Version) family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    IdempotencyKey String,
    GroupKey String,
    Receiver LowCardinality(String),
    Channel LowCardinality(String),
    -- first | new_alerts | all_resolved | some_resolved | repeat | escalation | update
    Reason LowCardinality(String),
    EpisodeIds Array(String),
    -- intent | delivered | failed
    Status LowCardinality(String),
    Attempts UInt16,
    IntendedAt DateTime64(3, 'UTC'),
    DeliveredAt Nullable(DateTime64(3, 'UTC')),
    -- What the channel gave back to thread on: Slack channel/ts, the email Message-Id.
    ProviderRef String,
    Error String,
    Payload String CODEC(ZSTD(1)),
    Version UInt64
)
ENGINE = {{engine}}
ORDER BY IdempotencyKey

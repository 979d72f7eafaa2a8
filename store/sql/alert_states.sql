-- alert_states: the current state of every alert (one per fingerprint = rule + label set), as
-- the rules engine last wrote it, with the timers `for` and `keep_firing_for` run on. A restart
-- reads it back, so pending and firing progress survive. Latest Version wins (FINAL).
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (ReplacingMergeTree(Version) family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    Fingerprint String,
    RuleId LowCardinality(String),
    Labels Map(LowCardinality(String), String),
    -- inactive | pending | firing | recovering | resolved
    State LowCardinality(String),
    -- The episode: Fingerprint + the event time its first breach was seen at.
    EpisodeId String,
    -- Event times (business time of the data), ms since the epoch; 0 = unset.
    ImpactStartMs Int64,
    PendingSinceMs Int64,
    FiringSinceMs Int64,
    RecoveringSinceMs Int64,
    ConditionClearedMs Int64,
    ResolvedMs Int64,
    ResolveReason LowCardinality(String),
    UnknownSinceMs Int64,
    LastResult LowCardinality(String),
    LastValue Nullable(Float64),
    LastEvaluatedMs Int64,
    -- JSON: the impact (instances, value at risk, sample keys) and the annotations as rendered.
    Details String CODEC(ZSTD(1)),
    Version UInt64
)
ENGINE = {{engine}}
ORDER BY Fingerprint

-- instance_facts: per instance of a process, the facts every instance KPI reads (cycle time,
-- stuck, SLA, outcomes, value), computed by processes/kpis/instance-facts.ts from the
-- instance's events and rewritten by the deriver whenever an event of the instance arrives or
-- its membership changes. Readers take the latest version (FINAL) and skip Removed rows (an
-- instance whose events all moved to another one). A rollup, not a source: it can be rebuilt
-- from business_events and instance_keys at any time (`throughline processes refresh-facts`).
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (ReplacingMergeTree(Version) family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    Process LowCardinality(String),
    Instance String,
    Version UInt64,
    Events UInt32,
    FirstNs Int64,
    LastNs Int64,
    LastMilestone LowCardinality(String),
    LastSystem LowCardinality(String),
    -- The definition version of its latest event.
    ProcessVersion LowCardinality(String),
    StartNs Nullable(Int64),
    EndNs Nullable(Int64),
    Outcome LowCardinality(String),
    Cancelled Bool,
    Errors UInt32,
    Retries UInt32,
    ReworkEvents UInt32,
    PausedNs Int64,
    PausedSinceNs Nullable(Int64),
    Value Nullable(Decimal(38, 6)),
    Currency LowCardinality(String),
    -- Milestone -> when the instance first reached it (child milestones by the completion policy).
    Reached Map(LowCardinality(String), Int64),
    -- Attribute -> its latest value over the instance's events.
    Attrs Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    -- Every key of the instance's events as 'type=value'.
    KeyValues Array(String) CODEC(ZSTD(1)),
    -- Its events in order (ts, observed_ts, event_id) as (business time ns, milestone): what
    -- the stage baselines (dynamic stuck thresholds) read.
    Trace Array(Tuple(Int64, LowCardinality(String))) CODEC(ZSTD(1)),
    Removed Bool
)
ENGINE = {{engine}}
ORDER BY (Process, Instance)

-- deriver_cursors: how far (by IngestedAt) the deriver has turned each table's rows into
-- business events for each process, so a restart resumes where it stopped. Latest row wins.
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (ReplacingMergeTree(UpdatedAt) family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    Process LowCardinality(String),
    SourceTable LowCardinality(String),
    Cursor DateTime64(3, 'UTC'),
    UpdatedAt DateTime64(6, 'UTC') DEFAULT now64(6)
)
ENGINE = {{engine}}
ORDER BY (Process, SourceTable)

-- schema_migrations: one row per applied migration. ReplacingMergeTree, so two processes
-- that record the same migration at once leave one logical row (read it with FINAL).
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (ReplacingMergeTree family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3)
)
ENGINE = {{engine}}
ORDER BY version

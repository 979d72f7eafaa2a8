-- instance_keys: which instances (root key values) each non-root node of the correlation
-- graph belongs to, as the correlator last computed it. ReplacingMergeTree on Version: a
-- component that gains a root or merges with another writes its nodes again with a higher
-- version; readers take the latest (FINAL). Empty Instances: a component with no root key
-- yet (a delivery seen before its order).
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (ReplacingMergeTree(Version) family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    Process LowCardinality(String),
    Node String CODEC(ZSTD(1)),
    Instances Array(String) CODEC(ZSTD(1)),
    Version UInt64
)
ENGINE = {{engine}}
ORDER BY (Process, Node)

-- A bloom filter on instance_keys.Instances: an instance's timeline finds the nodes that belong
-- to it (has(Instances, ...)) by reading a few granules, not the whole process's graph.
-- Placeholders: {{table}}, {{onCluster}}. Local tables only (Distributed tables have no indexes).
ALTER TABLE {{table}} {{onCluster}}
    ADD INDEX IF NOT EXISTS idx_instances Instances TYPE bloom_filter(0.01) GRANULARITY 1

-- Cluster mode only: the table under the exporter's name that routes inserts to, and reads
-- from, the shard-local table it copies its columns from.
-- Placeholders: {{table}}, {{onCluster}}, {{local}}, {{engine}} (a Distributed engine).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
AS {{local}}
ENGINE = {{engine}}

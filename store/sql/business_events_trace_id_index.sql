-- A bloom filter on business_events.TraceId: an instance's timeline finds the span-derived
-- events it owns through their span nodes ('span=trace/span') without reading every row.
-- Parts written before this migration get the index as they merge.
-- Placeholders: {{table}}, {{onCluster}}. Local tables only (Distributed tables have no indexes).
ALTER TABLE {{table}} {{onCluster}}
    ADD INDEX IF NOT EXISTS idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1

-- key_edges: the correlation graph of each process (ADR 0004). Nodes are 'key_type=value'
-- for instance keys and 'span=<trace id>/<span id>' for spans; an edge joins the nodes one
-- business event carries, or a span and the span it links to. Stored in both directions so
-- a component is walked by primary-key lookups on (Process, A). Edges are never removed: a
-- component is a pure function of its edges, whatever order they arrived in.
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (ReplacingMergeTree family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    Process LowCardinality(String),
    A String CODEC(ZSTD(1)),
    B String CODEC(ZSTD(1)),
    FirstSeen DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, ZSTD(1))
)
ENGINE = {{engine}}
ORDER BY (Process, A, B)

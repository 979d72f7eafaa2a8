-- Links: the spans the event's span links to ('<trace id>/<span id>', lower-case hex), e.g. the
-- three producer spans of a batch consumer. The correlator makes them edges to the linked
-- events, so one consumer event belongs to each linked instance.
-- Placeholders: {{table}}, {{onCluster}}. Run on the local and the Distributed table.
ALTER TABLE {{table}} {{onCluster}}
    ADD COLUMN IF NOT EXISTS Links Array(String) CODEC(ZSTD(1))

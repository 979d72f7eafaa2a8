-- Migration 6's one-time fill of sync_events from the sync spans stored before its view
-- existed: the view's SELECT (sync_events_select.sql), for spans not in sync_events yet, so a
-- rerun (a migration interrupted before it was recorded) and the spans the view wrote since it
-- was created are not inserted twice. A row inserted twice anyway (two migrators at the same
-- moment, an insert racing the backfill) changes no answer: the KPI groups by entity version.
-- GLOBAL: in cluster mode the ids are collected once and sent to each shard.
-- Placeholders: {{table}} (sync_events; the Distributed table in cluster mode), {{select}} (sync_events_select.sql over otel_traces).
INSERT INTO {{table}} (Timestamp, EndNs, Side, EntityType, EntityId, Version, ChangeNs, SourceSystem, TargetSystem, BusinessSystem, Tenant, TraceId, SpanId)
SETTINGS distributed_foreground_insert = 1
{{select}}
    -- Implied by the side; lets the bloom filter on the attribute keys skip the granules
    -- without a sync span (most of otel_traces).
    AND mapContains(SpanAttributes, 'sync.side')
    AND (TraceId, SpanId) GLOBAL NOT IN (SELECT TraceId, SpanId FROM {{table}})

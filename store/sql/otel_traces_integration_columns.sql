-- Adopts an otel_traces table that a stock OpenTelemetry Collector created before throughline
-- (CREATE TABLE IF NOT EXISTS then leaves it as it is): adds the integration columns, defined
-- exactly as in otel_traces.sql (a test compares the two). On a table we created it changes nothing.
-- Placeholders: {{table}}, {{onCluster}}. Run on the local and the Distributed table.
ALTER TABLE {{table}} {{onCluster}}
    ADD COLUMN IF NOT EXISTS Tenant LowCardinality(String) MATERIALIZED if(SpanAttributes['tenant.id'] != '', SpanAttributes['tenant.id'], ResourceAttributes['tenant.id']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS Integration LowCardinality(String) MATERIALIZED if(SpanAttributes['integration.name'] != '', SpanAttributes['integration.name'], ResourceAttributes['integration.name']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS SourceSystem LowCardinality(String) MATERIALIZED if(SpanAttributes['integration.source.system'] != '', SpanAttributes['integration.source.system'], ResourceAttributes['integration.source.system']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS TargetSystem LowCardinality(String) MATERIALIZED if(SpanAttributes['integration.target.system'] != '', SpanAttributes['integration.target.system'], ResourceAttributes['integration.target.system']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS BusinessProcess LowCardinality(String) MATERIALIZED if(SpanAttributes['business.process'] != '', SpanAttributes['business.process'], ResourceAttributes['business.process']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS Milestone LowCardinality(String) MATERIALIZED SpanAttributes['business.milestone'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS BusinessObject LowCardinality(String) MATERIALIZED SpanAttributes['business.object'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS BusinessSystem LowCardinality(String) MATERIALIZED multiIf(SpanAttributes['business.system'] != '', SpanAttributes['business.system'], ResourceAttributes['business.system'] != '', ResourceAttributes['business.system'], ServiceName) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS BusinessKeys Array(String) MATERIALIZED arraySort(arrayFilter(pair -> pair != '', arrayMap((key, val) -> if(startsWith(key, 'business.key.') AND length(key) > 13 AND val != '', concat(substring(key, 14), '=', val), ''), mapKeys(SpanAttributes), mapValues(SpanAttributes)))) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS MessageId String MATERIALIZED SpanAttributes['messaging.message.id'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS OperationId String MATERIALIZED SpanAttributes['integration.operation.id'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS Attempt UInt16 MATERIALIZED toUInt16OrZero(SpanAttributes['integration.operation.attempt']) CODEC(ZSTD(1))

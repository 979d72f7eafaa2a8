-- Adopts an otel_logs table that a stock OpenTelemetry Collector created before throughline
-- (CREATE TABLE IF NOT EXISTS then leaves it as it is): adds the integration columns, defined
-- exactly as in otel_logs.sql (a test compares the two). On a table we created it changes nothing.
-- Placeholders: {{table}}, {{onCluster}}. Run on the local and the Distributed table.
ALTER TABLE {{table}} {{onCluster}}
    ADD COLUMN IF NOT EXISTS Tenant LowCardinality(String) MATERIALIZED if(LogAttributes['tenant.id'] != '', LogAttributes['tenant.id'], ResourceAttributes['tenant.id']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS Integration LowCardinality(String) MATERIALIZED if(LogAttributes['integration.name'] != '', LogAttributes['integration.name'], ResourceAttributes['integration.name']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS SourceSystem LowCardinality(String) MATERIALIZED if(LogAttributes['integration.source.system'] != '', LogAttributes['integration.source.system'], ResourceAttributes['integration.source.system']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS TargetSystem LowCardinality(String) MATERIALIZED if(LogAttributes['integration.target.system'] != '', LogAttributes['integration.target.system'], ResourceAttributes['integration.target.system']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS BusinessProcess LowCardinality(String) MATERIALIZED if(LogAttributes['business.process'] != '', LogAttributes['business.process'], ResourceAttributes['business.process']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS Milestone LowCardinality(String) MATERIALIZED LogAttributes['business.milestone'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS BusinessObject LowCardinality(String) MATERIALIZED LogAttributes['business.object'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS BusinessSystem LowCardinality(String) MATERIALIZED multiIf(LogAttributes['business.system'] != '', LogAttributes['business.system'], ResourceAttributes['business.system'] != '', ResourceAttributes['business.system'], ServiceName) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS BusinessKeys Array(String) MATERIALIZED arraySort(arrayFilter(pair -> pair != '', arrayMap((key, val) -> if(startsWith(key, 'business.key.') AND length(key) > 13 AND val != '', concat(substring(key, 14), '=', val), ''), mapKeys(LogAttributes), mapValues(LogAttributes)))) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS MessageId String MATERIALIZED LogAttributes['messaging.message.id'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS OperationId String MATERIALIZED LogAttributes['integration.operation.id'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS Attempt UInt16 MATERIALIZED toUInt16OrZero(LogAttributes['integration.operation.attempt']) CODEC(ZSTD(1))

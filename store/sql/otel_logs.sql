-- otel_logs: the OpenTelemetry Collector ClickHouse exporter's log table, column for column
-- (with TimestampTime, which Grafana's plugin uses when present), plus the integration
-- columns MATERIALIZED from LogAttributes, falling back to ResourceAttributes.
-- Placeholders: {{table}}, {{onCluster}}, {{engine}}, {{ttl}}. Sort key: docs/adr/0001-otel-table-sort-keys.md.
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TimestampTime DateTime DEFAULT toDateTime(Timestamp),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    TraceFlags UInt8,
    SeverityText LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber UInt8,
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Body String CODEC(ZSTD(1)),
    ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
    ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    EventName String CODEC(ZSTD(1)),

    -- Integration columns, as on otel_traces: the record's attribute wins, the resource's
    -- is the fallback where a whole service can carry it.
    Tenant LowCardinality(String) MATERIALIZED if(LogAttributes['tenant.id'] != '', LogAttributes['tenant.id'], ResourceAttributes['tenant.id']) CODEC(ZSTD(1)),
    Integration LowCardinality(String) MATERIALIZED if(LogAttributes['integration.name'] != '', LogAttributes['integration.name'], ResourceAttributes['integration.name']) CODEC(ZSTD(1)),
    SourceSystem LowCardinality(String) MATERIALIZED if(LogAttributes['integration.source.system'] != '', LogAttributes['integration.source.system'], ResourceAttributes['integration.source.system']) CODEC(ZSTD(1)),
    TargetSystem LowCardinality(String) MATERIALIZED if(LogAttributes['integration.target.system'] != '', LogAttributes['integration.target.system'], ResourceAttributes['integration.target.system']) CODEC(ZSTD(1)),
    BusinessProcess LowCardinality(String) MATERIALIZED if(LogAttributes['business.process'] != '', LogAttributes['business.process'], ResourceAttributes['business.process']) CODEC(ZSTD(1)),
    Milestone LowCardinality(String) MATERIALIZED LogAttributes['business.milestone'] CODEC(ZSTD(1)),
    BusinessObject LowCardinality(String) MATERIALIZED LogAttributes['business.object'] CODEC(ZSTD(1)),
    BusinessSystem LowCardinality(String) MATERIALIZED multiIf(LogAttributes['business.system'] != '', LogAttributes['business.system'], ResourceAttributes['business.system'] != '', ResourceAttributes['business.system'], ServiceName) CODEC(ZSTD(1)),
    BusinessKeys Array(String) MATERIALIZED arraySort(arrayFilter(pair -> pair != '', arrayMap((key, val) -> if(startsWith(key, 'business.key.') AND length(key) > 13 AND val != '', concat(substring(key, 14), '=', val), ''), mapKeys(LogAttributes), mapValues(LogAttributes)))) CODEC(ZSTD(1)),
    MessageId String MATERIALIZED LogAttributes['messaging.message.id'] CODEC(ZSTD(1)),
    OperationId String MATERIALIZED LogAttributes['integration.operation.id'] CODEC(ZSTD(1)),
    Attempt UInt16 MATERIALIZED toUInt16OrZero(LogAttributes['integration.operation.attempt']) CODEC(ZSTD(1)),

    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_business_keys BusinessKeys TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_message_id MessageId TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_integration Integration TYPE set(256) GRANULARITY 4
)
ENGINE = {{engine}}
PARTITION BY toDate(Timestamp)
PRIMARY KEY (ServiceName, EventName, TimestampTime)
ORDER BY (ServiceName, EventName, TimestampTime, Timestamp)
{{ttl}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000

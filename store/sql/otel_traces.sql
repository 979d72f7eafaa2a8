-- otel_traces: the OpenTelemetry Collector ClickHouse exporter's span table, column for
-- column, plus throughline's integration columns MATERIALIZED from the attribute maps.
-- Placeholders: {{table}} (database-qualified; the _local table in cluster mode),
-- {{onCluster}}, {{engine}}, {{ttl}}. Sort key rationale: docs/adr/0001-otel-table-sort-keys.md.
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Duration UInt64 CODEC(T64, ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested
    (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    Links Nested
    (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),

    -- Integration columns: the span attribute wins; the resource attribute is the fallback
    -- where a whole service can carry it (tenant, integration, systems, process).
    Tenant LowCardinality(String) MATERIALIZED if(SpanAttributes['tenant.id'] != '', SpanAttributes['tenant.id'], ResourceAttributes['tenant.id']) CODEC(ZSTD(1)),
    Integration LowCardinality(String) MATERIALIZED if(SpanAttributes['integration.name'] != '', SpanAttributes['integration.name'], ResourceAttributes['integration.name']) CODEC(ZSTD(1)),
    SourceSystem LowCardinality(String) MATERIALIZED if(SpanAttributes['integration.source.system'] != '', SpanAttributes['integration.source.system'], ResourceAttributes['integration.source.system']) CODEC(ZSTD(1)),
    TargetSystem LowCardinality(String) MATERIALIZED if(SpanAttributes['integration.target.system'] != '', SpanAttributes['integration.target.system'], ResourceAttributes['integration.target.system']) CODEC(ZSTD(1)),
    BusinessProcess LowCardinality(String) MATERIALIZED if(SpanAttributes['business.process'] != '', SpanAttributes['business.process'], ResourceAttributes['business.process']) CODEC(ZSTD(1)),
    Milestone LowCardinality(String) MATERIALIZED SpanAttributes['business.milestone'] CODEC(ZSTD(1)),
    BusinessObject LowCardinality(String) MATERIALIZED SpanAttributes['business.object'] CODEC(ZSTD(1)),
    BusinessSystem LowCardinality(String) MATERIALIZED multiIf(SpanAttributes['business.system'] != '', SpanAttributes['business.system'], ResourceAttributes['business.system'] != '', ResourceAttributes['business.system'], ServiceName) CODEC(ZSTD(1)),
    -- Every non-empty business.key.<type> attribute as '<type>=<value>', sorted so equal key
    -- sets compare equal whatever the attribute order.
    BusinessKeys Array(String) MATERIALIZED arraySort(arrayFilter(pair -> pair != '', arrayMap((key, val) -> if(startsWith(key, 'business.key.') AND length(key) > 13 AND val != '', concat(substring(key, 14), '=', val), ''), mapKeys(SpanAttributes), mapValues(SpanAttributes)))) CODEC(ZSTD(1)),
    MessageId String MATERIALIZED SpanAttributes['messaging.message.id'] CODEC(ZSTD(1)),
    OperationId String MATERIALIZED SpanAttributes['integration.operation.id'] CODEC(ZSTD(1)),
    Attempt UInt16 MATERIALIZED toUInt16OrZero(SpanAttributes['integration.operation.attempt']) CODEC(ZSTD(1)),

    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1,
    INDEX idx_business_keys BusinessKeys TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_message_id MessageId TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = {{engine}}
PARTITION BY toDate(Timestamp)
PRIMARY KEY (Integration, ServiceName, SpanName, toDateTime(Timestamp))
ORDER BY (Integration, ServiceName, SpanName, toDateTime(Timestamp), Timestamp)
{{ttl}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000

// Correlation: business keys and span links -> instances (ADR 0004).
export { correlateEvents, type CorrelationOptions, type CorrelationResult } from './correlate.ts'
export { nearestRoots, type Adjacency } from './nearest-roots.ts'
export { eventEdges, keyNode, spanNode, type CorrelatedEvent, type CorrelationModel, type Edge } from './nodes.ts'
export { correlationModelOf } from './model-of.ts'

// The nodes of a process's correlation graph and the edges one business event adds (ADR 0004):
// 'key_type=value' for the instance keys it carries, 'span=<trace id>/<span id>' for the span
// it came from and the spans it links to. Reference keys (a customer id) never link: two
// orders of one customer stay two instances.

export interface CorrelationModel {
  readonly process: string
  /** The key type that anchors an instance (`order_id`). */
  readonly rootKey: string
  /** Key types that link events into one instance (the root key among them). */
  readonly instanceKeyTypes: ReadonlySet<string>
}

/** What correlation reads of an event. */
export interface CorrelatedEvent {
  readonly keys: Readonly<Record<string, string>>
  /** Set for events derived from a span (not for log records inside one). */
  readonly ownSpan?: string
  /** Linked spans as '<trace id>/<span id>'. */
  readonly links: readonly string[]
}

export type Edge = readonly [string, string]

export const keyNode = (keyType: string, value: string): string => `${keyType}=${value}`
export const spanNode = (span: string): string => `span=${span}`

/** The root key value a node stands for, or undefined when it is not a root node. */
export function rootValueOf(model: CorrelationModel, node: string): string | undefined {
  const prefix = `${model.rootKey}=`
  return node.startsWith(prefix) ? node.slice(prefix.length) : undefined
}

/**
 * The event's key nodes joined in a star (connectivity is all that matters, so n - 1 edges
 * do what n(n-1)/2 would), its own span joined to them so spans linking to it reach its
 * instance, and its own span joined to each span it links to.
 */
export function eventEdges(model: CorrelationModel, event: CorrelatedEvent): Edge[] {
  const nodes = Object.entries(event.keys)
    .filter(([type, value]) => model.instanceKeyTypes.has(type) && value !== '')
    .map(([type, value]) => keyNode(type, value))
    .sort()
  const edges: Edge[] = []
  const [hub] = nodes
  for (const node of nodes.slice(1)) edges.push([hub!, node])
  if (event.ownSpan !== undefined) {
    const own = spanNode(event.ownSpan)
    if (hub !== undefined) edges.push([own, hub])
    for (const link of event.links) edges.push([own, spanNode(link)])
  }
  return edges
}

// Correlation of new business events into instances (ADR 0004): their edges are stored in
// key_edges, the components they touch are walked again from key_edges (so edges that came
// earlier, from another process or before a restart, count), each node's instances are
// recomputed (nearest-roots.ts) and the nodes whose instances changed are written to
// instance_keys with a higher version. Every step is idempotent: repeating a batch changes nothing.
import { createHash } from 'node:crypto'
import { insertJsonEachRow, queryRows, type StoreConnection } from '../../store/index.ts'
import { nearestRoots, type Adjacency } from './nearest-roots.ts'
import { eventEdges, rootValueOf, type CorrelatedEvent, type CorrelationModel, type Edge } from './nodes.ts'

export interface CorrelationOptions {
  /**
   * A component larger than this is not walked further (and reported): it means a key that
   * is really a reference (a customer id, a warehouse) is declared as an instance key.
   */
  readonly maxComponentNodes?: number
}

export interface CorrelationResult {
  readonly edges: number
  readonly nodesWalked: number
  readonly nodesRepointed: number
  /** Components cut at maxComponentNodes. */
  readonly truncated: boolean
  /**
   * The instances (root key values) of the walked components, before and after: what the
   * facts rollup must recompute (an instance that lost nodes to another one included).
   */
  readonly instances: readonly string[]
}

const DEFAULT_MAX_COMPONENT_NODES = 20_000
/** Nodes per IN (...) list: large enough for few round trips, small enough for the query size limit. */
const LOOKUP_CHUNK = 5_000

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

async function storeEdges(store: StoreConnection, process: string, edges: readonly Edge[]): Promise<void> {
  const lines = new Set<string>()
  for (const [a, b] of edges) {
    lines.add(JSON.stringify({ Process: process, A: a, B: b }))
    lines.add(JSON.stringify({ Process: process, A: b, B: a }))
  }
  const body = [...lines].sort().join('\n') + '\n'
  const token = `edges-${createHash('sha256').update(process).update('\0').update(body).digest('hex').slice(0, 40)}`
  await insertJsonEachRow(store, 'key_edges', body, { dedupToken: token, tag: 'correlate.edges' })
}

/** The components of `seeds`, as adjacency lists, walked level by level over key_edges. */
async function walkComponents(
  store: StoreConnection,
  process: string,
  seeds: Iterable<string>,
  maxNodes: number,
): Promise<{ adjacency: Adjacency; truncated: boolean }> {
  const adjacency = new Map<string, Set<string>>()
  let frontier = [...new Set(seeds)]
  let truncated = false
  while (frontier.length > 0) {
    for (const part of chunks(frontier, LOOKUP_CHUNK)) {
      const rows = await queryRows<{ A: string; neighbours: string[] }>(
        store,
        'SELECT A, groupUniqArray(B) AS neighbours FROM key_edges WHERE Process = {process:String} AND A IN {nodes:Array(String)} GROUP BY A',
        { process, nodes: part },
        { tag: 'correlate.walk' },
      )
      for (const node of part) adjacency.set(node, new Set())
      for (const row of rows) adjacency.set(row.A, new Set(row.neighbours))
    }
    const next = new Set<string>()
    for (const node of frontier) for (const neighbour of adjacency.get(node) ?? []) if (!adjacency.has(neighbour)) next.add(neighbour)
    if (adjacency.size + next.size > maxNodes) {
      truncated = next.size > 0
      break
    }
    frontier = [...next]
  }
  return { adjacency, truncated }
}

async function currentInstances(store: StoreConnection, process: string, nodes: readonly string[]): Promise<Map<string, string[]>> {
  const current = new Map<string, string[]>()
  for (const part of chunks(nodes, LOOKUP_CHUNK)) {
    const rows = await queryRows<{ Node: string; Instances: string[] }>(
      store,
      'SELECT Node, Instances FROM instance_keys FINAL WHERE Process = {process:String} AND Node IN {nodes:Array(String)}',
      { process, nodes: part },
      { tag: 'correlate.current' },
    )
    for (const row of rows) current.set(row.Node, row.Instances)
  }
  return current
}

let lastVersion = 0n

/** Versions increase within a process even when the clock does not move between two writes. */
function nextVersion(): bigint {
  const now = BigInt(Date.now()) * 1_000_000n
  lastVersion = now > lastVersion ? now : lastVersion + 1n
  return lastVersion
}

const sameList = (a: readonly string[] | undefined, b: readonly string[]): boolean => a !== undefined && a.length === b.length && a.every((x, i) => x === b[i])

export async function correlateEvents(
  store: StoreConnection,
  model: CorrelationModel,
  events: Iterable<CorrelatedEvent>,
  options: CorrelationOptions = {},
): Promise<CorrelationResult> {
  const edges: Edge[] = []
  for (const event of events) edges.push(...eventEdges(model, event))
  if (edges.length === 0) return { edges: 0, nodesWalked: 0, nodesRepointed: 0, truncated: false, instances: [] }
  await storeEdges(store, model.process, edges)
  const seeds = new Set(edges.flat())
  const { adjacency, truncated } = await walkComponents(store, model.process, seeds, options.maxComponentNodes ?? DEFAULT_MAX_COMPONENT_NODES)
  const computed = nearestRoots(model, adjacency)
  const current = await currentInstances(store, model.process, [...computed.keys()])
  const changed = [...computed].filter(([node, instances]) => !sameList(current.get(node), instances))
  if (changed.length > 0) {
    const version = nextVersion().toString()
    const body =
      changed.map(([node, instances]) => JSON.stringify({ Process: model.process, Node: node, Instances: instances, Version: version })).join('\n') + '\n'
    await insertJsonEachRow(store, 'instance_keys', body, { tag: 'correlate.instance-keys' })
  }
  const instances = new Set<string>()
  for (const node of adjacency.keys()) {
    const root = rootValueOf(model, node)
    if (root !== undefined) instances.add(root)
  }
  for (const members of computed.values()) for (const instance of members) instances.add(instance)
  for (const [node] of changed) for (const instance of current.get(node) ?? []) instances.add(instance)
  return { edges: edges.length, nodesWalked: adjacency.size, nodesRepointed: changed.length, truncated, instances: [...instances] }
}

// Which instances each node of a component belongs to: the root keys nearest to it (fewest
// edges away), all of them on a tie. A pure function of the edges, so arrival order cannot
// change it. One root in the component: every node belongs to it. Two roots (a delivery that
// consolidates two orders): the sales order of each belongs to its own order, the shared
// delivery to both, and a batch span linking three orders' spans to all three.
import { rootValueOf, type CorrelationModel } from './nodes.ts'

export type Adjacency = ReadonlyMap<string, ReadonlySet<string>>

/** Node -> sorted root values (instance ids); nodes no root reaches get []. Root nodes are left out. */
export function nearestRoots(model: CorrelationModel, adjacency: Adjacency): Map<string, string[]> {
  const distance = new Map<string, number>()
  const roots = new Map<string, Set<string>>()
  let frontier: string[] = []
  for (const node of adjacency.keys()) {
    const root = rootValueOf(model, node)
    if (root === undefined) continue
    distance.set(node, 0)
    roots.set(node, new Set([root]))
    frontier.push(node)
  }
  // Multi-source breadth-first search, one level at a time, so a node's roots are complete
  // (every nearest root has reached it) before it passes them on.
  for (let level = 0; frontier.length > 0; level++) {
    const next: string[] = []
    for (const node of frontier) {
      const from = roots.get(node)!
      for (const neighbour of adjacency.get(node) ?? []) {
        const seen = distance.get(neighbour)
        if (seen === undefined) {
          distance.set(neighbour, level + 1)
          roots.set(neighbour, new Set(from))
          next.push(neighbour)
        } else if (seen === level + 1) {
          for (const root of from) roots.get(neighbour)!.add(root)
        }
      }
    }
    frontier = next
  }
  const result = new Map<string, string[]>()
  for (const node of adjacency.keys()) {
    if (rootValueOf(model, node) !== undefined) continue
    result.set(node, [...(roots.get(node) ?? [])].sort())
  }
  return result
}

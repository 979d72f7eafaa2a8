// Can an instance that follows the allowed edges ever end? A 'completed' terminal no start
// reaches is an error: every completed instance would be a conformance deviation, so the
// model is wrong. A cancelled or failed one is a warning: cancellation can often happen at
// any step and authors may leave those edges out on purpose; conformance then reports it.
import type { BuildContext } from './build-context.ts'
import type { FlowEdge, TerminalMilestone } from './model.ts'
import type { MilestoneName } from './names.ts'
import { ProblemCode } from './problems.ts'

/** Milestones reachable from the starts along the edges (the starts included). */
export function reachableFrom(start: readonly MilestoneName[], edges: readonly FlowEdge[]): Set<MilestoneName> {
  const next = new Map<MilestoneName, MilestoneName[]>()
  for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to])
  const reached = new Set(start)
  const queue = [...start]
  for (let milestone = queue.shift(); milestone !== undefined; milestone = queue.shift()) {
    for (const following of next.get(milestone) ?? []) {
      if (!reached.has(following)) {
        reached.add(following)
        queue.push(following)
      }
    }
  }
  return reached
}

/** Without edges there is no flow model to check: conformance against edges is off. */
export function checkReachability(
  context: BuildContext,
  start: readonly MilestoneName[],
  terminal: readonly TerminalMilestone[],
  edges: readonly FlowEdge[],
  writtenTerminals: readonly string[],
): void {
  if (edges.length === 0) return
  const reached = reachableFrom(start, edges)
  terminal.forEach((end) => {
    if (reached.has(end.milestone)) return
    const path = ['terminal', writtenTerminals.indexOf(end.milestone), 'milestone']
    const message = `'${end.milestone}' cannot be reached from ${start.join(', ')} along flow.edges`
    if (end.outcome === 'completed')
      context.error(ProblemCode.unreachableTerminal, path, `${message}, so no completed instance could conform; add the missing edges`)
    else
      context.warning(
        ProblemCode.unreachableTerminal,
        path,
        `${message}; ${end.outcome} instances will be reported as out of sequence unless you add edges into it`,
      )
  })
}

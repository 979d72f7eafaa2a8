// Alertmanager's routing tree: an alert walks down from the root into the first child whose
// matchers it satisfies (and on into later siblings after a child with `continue`), and is
// handled by the deepest routes it reached. Children inherit the receiver, grouping and timers
// they do not set; time intervals are not inherited, as in Alertmanager.
import { labelSetText, matchersText, matchesAll, parseMatchers, type LabelSet, type Matcher } from './matchers.ts'
import { durationSetting as duration, type RouteConfig } from './config.ts'

export type GroupBy = { readonly all: true } | { readonly all: false; readonly names: readonly string[] }

export interface Route {
  /** Stable across config edits that do not touch this route's path: `{}/{team="ops"}`. */
  readonly id: string
  readonly matchers: readonly Matcher[]
  readonly receiver: string
  readonly groupBy: GroupBy
  readonly groupWaitMs: number
  readonly groupIntervalMs: number
  readonly repeatIntervalMs: number
  readonly continue: boolean
  readonly muteTimeIntervals: readonly string[]
  readonly activeTimeIntervals: readonly string[]
  readonly routes: readonly Route[]
}

/** Alertmanager's defaults for the root route. */
export const ROUTE_DEFAULTS = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 } as const

type Inherited = Pick<Route, 'receiver' | 'groupBy' | 'groupWaitMs' | 'groupIntervalMs' | 'repeatIntervalMs'>

function groupBy(names: readonly string[] | undefined, inherited: GroupBy | undefined): GroupBy {
  if (names === undefined) return inherited ?? { all: false, names: [] }
  return names.includes('...') ? { all: true } : { all: false, names: [...new Set(names)].sort() }
}

/**
 * Builds the tree from its config, collecting every problem (with its path) into `problems`
 * rather than stopping at the first; the caller refuses the config when there are any.
 */
export function compileRoute(config: RouteConfig, problems: string[], parent?: { route: Route; siblings: readonly RouteConfig[]; index: number }): Route {
  const path = parent === undefined ? 'route' : `${pathOf(parent.route)}.routes[${parent.index}]`
  const matchers: Matcher[] = []
  for (const [i, text] of (config.matchers ?? []).entries()) {
    const parsed = parseMatchers(text)
    if (typeof parsed === 'string') problems.push(`${path}.matchers[${i}]: ${parsed}`)
    else matchers.push(...parsed)
  }
  const inherited: Inherited | undefined = parent?.route
  const receiver = config.receiver ?? inherited?.receiver
  if (receiver === undefined) problems.push(`${path}.receiver: the root route must name a receiver`)
  if (parent === undefined && matchers.length > 0) problems.push(`${path}.matchers: the root route matches every alert and takes no matchers`)
  if (parent === undefined && (config.mute_time_intervals?.length ?? 0) + (config.active_time_intervals?.length ?? 0) > 0) {
    problems.push(`${path}: the root route takes no time intervals`)
  }
  const id = parent === undefined ? '{}' : `${parent.route.id}/${matchersText(matchers)}${siblingSuffix(config, parent)}`
  const route: Route & { routes: Route[] } = {
    id,
    matchers,
    receiver: receiver ?? '',
    groupBy: groupBy(config.group_by, inherited?.groupBy),
    groupWaitMs: duration(config.group_wait, inherited?.groupWaitMs ?? ROUTE_DEFAULTS.groupWaitMs, `${path}.group_wait`, problems),
    groupIntervalMs: duration(config.group_interval, inherited?.groupIntervalMs ?? ROUTE_DEFAULTS.groupIntervalMs, `${path}.group_interval`, problems),
    repeatIntervalMs: duration(config.repeat_interval, inherited?.repeatIntervalMs ?? ROUTE_DEFAULTS.repeatIntervalMs, `${path}.repeat_interval`, problems),
    continue: config.continue ?? false,
    muteTimeIntervals: config.mute_time_intervals ?? [],
    activeTimeIntervals: config.active_time_intervals ?? [],
    routes: [],
  }
  paths.set(route, path)
  const children = config.routes ?? []
  for (const [index, child] of children.entries()) route.routes.push(compileRoute(child, problems, { route, siblings: children, index }))
  return route
}

const paths = new WeakMap<Route, string>()
const pathOf = (route: Route): string => paths.get(route) ?? 'route'

/** Two siblings with the same matchers get their index appended, so ids stay unique. */
function siblingSuffix(config: RouteConfig, parent: { siblings: readonly RouteConfig[]; index: number }): string {
  const same = (other: RouteConfig): boolean => JSON.stringify(other.matchers ?? []) === JSON.stringify(config.matchers ?? [])
  return parent.siblings.filter(same).length > 1 ? `/${parent.index}` : ''
}

/** The routes that handle an alert with these labels (Alertmanager's Route.Match). */
export function matchRoutes(route: Route, labels: LabelSet): Route[] {
  if (!matchesAll(route.matchers, labels)) return []
  const all: Route[] = []
  for (const child of route.routes) {
    const matched = matchRoutes(child, labels)
    all.push(...matched)
    if (matched.length > 0 && !child.continue) break
  }
  return all.length > 0 ? all : [route]
}

/** Every route of the tree, depth first. */
export function allRoutes(route: Route): Route[] {
  return [route, ...route.routes.flatMap(allRoutes)]
}

/** The labels an alert is grouped by on this route. */
export function groupLabels(route: Route, labels: LabelSet): LabelSet {
  if (route.groupBy.all) return { ...labels }
  const out: Record<string, string> = {}
  for (const name of route.groupBy.names) {
    const value = labels[name]
    if (value !== undefined && value !== '') out[name] = value
  }
  return out
}

/** Route id + group labels: alerts with the same key are notified together. */
export function groupKey(route: Route, labels: LabelSet): string {
  return `${route.id}:${labelSetText(groupLabels(route, labels))}`
}

// Alertmanager's routing tree, matchers, inhibition and time intervals, and the notify config's
// checks, on hand-written cases: which routes an alert reaches, what they inherit, how it is
// grouped, which alerts a source mutes, when a window is open.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../core/errors.ts'
import {
  compileNotifyConfig,
  groupKey,
  inhibitedFingerprints,
  intervalActive,
  matchRoutes,
  matchesAll,
  parseMatchers,
  parseNotifyConfig,
  type LabelSet,
  type Matcher,
  type NotifyConfig,
} from '../../notify/index.ts'

function matchers(text: string): Matcher[] {
  const parsed = parseMatchers(text)
  if (typeof parsed === 'string') throw new Error(parsed)
  return parsed
}

const receivers = ['default', 'orders', 'orders-oncall', 'erp-team', 'pager', 'finance'].map((name) => ({ name }))

const tree: NotifyConfig = parseNotifyConfig({
  route: {
    receiver: 'default',
    group_by: ['alertname'],
    group_wait: '30s',
    group_interval: '5m',
    repeat_interval: '4h',
    routes: [
      {
        matchers: ['process="order_to_cash"'],
        receiver: 'orders',
        group_by: ['alertname', 'step'],
        routes: [
          { matchers: ['severity="critical"'], receiver: 'orders-oncall', repeat_interval: '1h' },
          { matchers: ['integration=~"erp-.*"'], receiver: 'erp-team', group_wait: '10s' },
        ],
      },
      { matchers: ['severity="critical"'], receiver: 'pager', continue: true },
      { matchers: ['team="finance"'], receiver: 'finance', group_by: ['...'] },
    ],
  },
  receivers,
})
const compiled = compileNotifyConfig(tree)
const reach = (labels: LabelSet) => matchRoutes(compiled.root, labels)

describe('matchers', () => {
  it('reads the four operators, quoted and bare values, and brace lists', () => {
    expect(matchers('severity="critical"').map((m) => [m.name, m.operator, m.value])).toEqual([['severity', '=', 'critical']])
    expect(matchers('alertname = Watchdog').map((m) => [m.name, m.operator, m.value])).toEqual([['alertname', '=', 'Watchdog']])
    expect(matchers('{process=~"order.*", team!=ops, step!~"a|b"}').map((m) => `${m.name}${m.operator}${m.value}`)).toEqual([
      'process=~order.*',
      'team!=ops',
      'step!~a|b',
    ])
    expect(matchers('summary="say \\"hi\\""')[0]?.value).toBe('say "hi"')
  })

  it('anchors regular expressions and reads a missing label as empty', () => {
    const labels = { process: 'order_to_cash' }
    expect(matchesAll(matchers('process=~"order"'), labels)).toBe(false)
    expect(matchesAll(matchers('process=~"order.*"'), labels)).toBe(true)
    expect(matchesAll(matchers('team=""'), labels)).toBe(true)
    expect(matchesAll(matchers('team!=""'), labels)).toBe(false)
    expect(matchesAll(matchers('team!~"ops|sre"'), labels)).toBe(true)
  })

  it('refuses what is not a matcher, saying where', () => {
    expect(parseMatchers('severity')).toMatch(/expected one of = != =~ !~ at column 9/)
    expect(parseMatchers('a=~"("')).toMatch(/a=~"\("/)
    expect(parseMatchers('{a="b"')).toMatch(/expected }/)
  })
})

describe('the routing tree', () => {
  it('hands an alert to the deepest matching route and stops at the first matching child', () => {
    const routes = reach({ alertname: 'step_error_rate', process: 'order_to_cash', severity: 'critical', step: 'so.create' })
    // orders matched and has no `continue`: the pager route is never tried.
    expect(routes.map((r) => r.receiver)).toEqual(['orders-oncall'])
    expect(routes[0]).toMatchObject({
      groupBy: { all: false, names: ['alertname', 'step'] },
      groupWaitMs: 30_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 3_600_000,
    })
  })

  it('lets children inherit what they do not set', () => {
    const [erp] = reach({ process: 'order_to_cash', severity: 'warning', integration: 'erp-sap' })
    expect(erp).toMatchObject({ receiver: 'erp-team', groupWaitMs: 10_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 })
    expect(erp?.groupBy).toEqual({ all: false, names: ['alertname', 'step'] })
  })

  it('stays on a parent when no child matches, and on the root when nothing does', () => {
    expect(reach({ process: 'order_to_cash', severity: 'warning' }).map((r) => r.receiver)).toEqual(['orders'])
    expect(reach({ process: 'billing', severity: 'warning' }).map((r) => r.receiver)).toEqual(['default'])
  })

  it('goes on to later siblings after a route with continue', () => {
    expect(reach({ process: 'billing', severity: 'critical', team: 'finance' }).map((r) => r.receiver)).toEqual(['pager', 'finance'])
    expect(reach({ process: 'billing', severity: 'critical' }).map((r) => r.receiver)).toEqual(['pager'])
  })

  it('groups by the route and its group_by labels only, or by every label with ...', () => {
    const [orders] = reach({ process: 'order_to_cash', severity: 'warning' })
    if (orders === undefined) throw new Error('no route')
    const a = groupKey(orders, { alertname: 'stuck', process: 'order_to_cash', step: 'ship', customer: 'C1' })
    const b = groupKey(orders, { alertname: 'stuck', process: 'order_to_cash', step: 'ship', customer: 'C2' })
    const c = groupKey(orders, { alertname: 'stuck', process: 'order_to_cash', step: 'invoice' })
    expect(a).toBe('{}/{process="order_to_cash"}:{alertname="stuck",step="ship"}')
    expect(b).toBe(a)
    expect(c).not.toBe(a)
    const [finance] = reach({ team: 'finance', process: 'billing' })
    if (finance === undefined) throw new Error('no route')
    expect(groupKey(finance, { team: 'finance', process: 'billing' })).toBe('{}/{team="finance"}:{process="billing",team="finance"}')
  })
})

describe('the notify config', () => {
  it('names every field the schema refuses', () => {
    expect(() => parseNotifyConfig({ route: { receiver: 'x', group_wait: 30 }, receivers: [{ name: 'x', pager: {} }] })).toThrow(
      'invalid notify config: route.group_wait: must be string; receivers.0: must not have additional properties',
    )
  })

  it('refuses unknown receivers and time intervals, bad matchers and durations, all at once', () => {
    const bad = parseNotifyConfig({
      route: {
        receiver: 'default',
        routes: [
          { matchers: ['team=~"("'], receiver: 'nobody' },
          { matchers: ['team="ops"'], mute_time_intervals: ['weekends'], group_wait: '5 parsecs' },
        ],
      },
      receivers: [{ name: 'default', slack_configs: [{ channel: 'C1' }] }],
    })
    const error = (() => {
      try {
        compileNotifyConfig(bad)
      } catch (err) {
        return err
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as ConfigError).message
    expect(message).toContain("receiver 'nobody' is not defined")
    expect(message).toContain("time interval 'weekends' is not defined")
    expect(message).toContain('route.routes[0].matchers[0]')
    expect(message).toContain('route.routes[1].group_wait')
    expect(message).toContain('receivers[0].slack_configs[0]: set one of token, token_file')
  })
})

describe('inhibition', () => {
  const rules = compileNotifyConfig(
    parseNotifyConfig({
      route: { receiver: 'r' },
      receivers: [{ name: 'r' }],
      inhibit_rules: [{ source_matchers: ['alertname="process_down"'], target_matchers: ['severity="warning"'], equal: ['process'] }],
    }),
  ).inhibitRules
  const a = (fingerprint: string, labels: LabelSet, firing = true) => ({ fingerprint, labels, firing })

  it('mutes targets with the same equal labels while the source fires', () => {
    const alerts = [
      a('down', { alertname: 'process_down', severity: 'critical', process: 'p1' }),
      a('slow-p1', { alertname: 'step_latency', severity: 'warning', process: 'p1' }),
      a('slow-p2', { alertname: 'step_latency', severity: 'warning', process: 'p2' }),
      a('crit-p1', { alertname: 'step_errors', severity: 'critical', process: 'p1' }),
    ]
    expect([...inhibitedFingerprints(rules, alerts)]).toEqual(['slow-p1'])
    alerts[0] = a('down', { alertname: 'process_down', severity: 'critical', process: 'p1' }, false)
    expect([...inhibitedFingerprints(rules, alerts)]).toEqual([])
  })

  it('treats a label missing on both sides as equal, and never lets an alert mute itself', () => {
    const sourceAndTarget = a('both', { alertname: 'process_down', severity: 'warning' })
    expect([...inhibitedFingerprints(rules, [sourceAndTarget])]).toEqual([])
    const other = a('other', { alertname: 'x', severity: 'warning' })
    expect([...inhibitedFingerprints(rules, [sourceAndTarget, other])]).toEqual(['other'])
  })
})

describe('time intervals', () => {
  const intervals = compileNotifyConfig(
    parseNotifyConfig({
      route: { receiver: 'r' },
      receivers: [{ name: 'r' }],
      time_intervals: [
        {
          name: 'office',
          time_intervals: [{ times: [{ start_time: '09:00', end_time: '17:00' }], weekdays: ['monday:friday'], location: 'Europe/Berlin' }],
        },
        { name: 'month-end', time_intervals: [{ days_of_month: ['-1'], months: ['march', '10:12'] }] },
      ],
    }),
  ).timeIntervals
  const office = intervals.get('office') ?? []
  const monthEnd = intervals.get('month-end') ?? []

  it('reads weekdays and clock times in the interval zone, end exclusive, across a DST change', () => {
    // Fri 2026-10-23 is CEST (UTC+2); Mon 2026-10-26 is CET (UTC+1).
    expect(intervalActive(office, Date.parse('2026-10-23T07:00:00Z'))).toBe(true) // 09:00 Berlin
    expect(intervalActive(office, Date.parse('2026-10-23T06:59:00Z'))).toBe(false)
    expect(intervalActive(office, Date.parse('2026-10-23T15:00:00Z'))).toBe(false) // 17:00, end exclusive
    expect(intervalActive(office, Date.parse('2026-10-24T10:00:00Z'))).toBe(false) // Saturday
    expect(intervalActive(office, Date.parse('2026-10-26T07:59:00Z'))).toBe(false) // 08:59 CET
    expect(intervalActive(office, Date.parse('2026-10-26T08:00:00Z'))).toBe(true) // 09:00 CET
  })

  it('counts negative days from the end of the month', () => {
    expect(intervalActive(monthEnd, Date.parse('2026-03-31T12:00:00Z'))).toBe(true)
    expect(intervalActive(monthEnd, Date.parse('2026-11-30T12:00:00Z'))).toBe(true)
    expect(intervalActive(monthEnd, Date.parse('2026-11-29T12:00:00Z'))).toBe(false)
    expect(intervalActive(monthEnd, Date.parse('2026-04-30T12:00:00Z'))).toBe(false)
  })
})

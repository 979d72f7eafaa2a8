// The dashboards' template variables and the bindings that put them into KPI SQL. A KPI's
// SQL is rendered per process definition (milestones, terminals and keys are the
// definition's), so each process has its own row of panels; the `process` variable decides
// which rows return data, by turning a row's process name into '' when it is not selected.
import { ConstantVariableBuilder, CustomVariableBuilder, QueryVariableBuilder, TextBoxVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import { TenantAttr } from '../core/semconv.ts'
import type { InstanceFilter, ProcessDefinition } from '../processes/index.ts'
import { DATASOURCE } from './clickhouse-query.ts'
import { expression, typedLiteral, variable, type GrafanaBinding } from './grafana-sql.ts'

export const processVariable = (definitions: readonly ProcessDefinition[]): CustomVariableBuilder =>
  new CustomVariableBuilder('process')
    .label('Process')
    .values(definitions.map((d) => d.name).join(','))
    .multi(true)
    .includeAll(true)
    .current({ text: 'All', value: '$__all' })

/** The versions seen for the selected processes (business_events.ProcessVersion); All is '' (every version). */
export const versionVariable = (): QueryVariableBuilder =>
  new QueryVariableBuilder('version')
    .label('Version')
    .description("Process definition version: instances count by the version of their latest event (the API's ?version=)")
    .datasource(DATASOURCE)
    .query('SELECT DISTINCT ProcessVersion FROM business_events WHERE Process IN (${process:sqlstring}) ORDER BY ProcessVersion')
    .multi(false)
    .includeAll(true)
    .allValue('')
    .current({ text: 'All', value: '$__all' })

/**
 * Empty: every tenant. Instances count by the latest tenant.id among their events' attributes
 * (the API's ?tenant=); integration spans by otel_traces.Tenant (tenant.id on the span, else its resource).
 */
export const tenantVariable = (): TextBoxVariableBuilder =>
  new TextBoxVariableBuilder('tenant').label('Tenant').description('tenant.id of the instances and integration spans; empty for all tenants').defaultValue('')

/** The instance filter of the process panels: version and tenant variables, '' for all. */
export const INSTANCE_FILTER: InstanceFilter = { version: '', attributes: { [TenantAttr.id]: '' }, emptyMatchesAll: true }

/** The bindings of INSTANCE_FILTER's parameters (instanceFilterSql names them). */
export const instanceFilterBindings = (): Readonly<Record<string, GrafanaBinding>> => ({ filterVersion: variable('version'), filterValue0: variable('tenant') })

/** A business key as 'type=value', e.g. order_id=SO-1001 or so_number=4500017. */
export const businessKeyVariable = (): TextBoxVariableBuilder =>
  new TextBoxVariableBuilder('business_key')
    .label('Business key')
    .description('type=value, e.g. order_id=O-1001; any key of an instance finds it')
    .defaultValue('')

/** Where the throughline API is reached, for links to an instance's timeline. */
export const apiUrlVariable = (): ConstantVariableBuilder =>
  new ConstantVariableBuilder('api_url').value('http://localhost:8080').description('the throughline API as people reach it')

/** The `process` parameter of a definition's row: its name when selected, else ''. */
export function processBinding(definition: ProcessDefinition): GrafanaBinding {
  const name = typedLiteral('process', 'String', definition.name)
  return expression(`if(has([\${process:sqlstring}], ${name}), ${name}, '')`)
}

export const tenantBinding = (): GrafanaBinding => variable('tenant')
export const businessKeyBinding = (): GrafanaBinding => variable('business_key')

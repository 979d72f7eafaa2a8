// Filters on instances (the API's version, tenant and attr parameters): an instance counts by
// the definition version of its latest event and by its attributes' latest values, the same
// whether its facts come from the events or from the rollup.

export interface InstanceFilter {
  readonly version?: string
  /** Attribute -> value its latest value must equal, e.g. { 'tenant.id': 'acme' }. */
  readonly attributes?: Readonly<Record<string, string>>
  /**
   * An empty value matches every instance: the values are a dashboard's template variables
   * (its "All" is ''), bound when Grafana sends the query. The API never sets it.
   */
  readonly emptyMatchesAll?: boolean
}

/** The WHERE clause of `facts` for a filter, given how an attribute's latest value is read, and its bound parameters. */
export function instanceFilterSql(filter: InstanceFilter | undefined, attributeOf: (param: string) => string, params: Record<string, unknown>): string {
  const conditions: string[] = []
  const equals = (column: string, param: string): string =>
    filter?.emptyMatchesAll === true ? `({${param}:String} = '' OR ${column} = {${param}:String})` : `${column} = {${param}:String}`
  if (filter?.version !== undefined) {
    params.filterVersion = filter.version
    conditions.push(equals('processVersion', 'filterVersion'))
  }
  Object.entries(filter?.attributes ?? {}).forEach(([name, value], i) => {
    params[`filterAttr${i}`] = name
    params[`filterValue${i}`] = value
    conditions.push(equals(attributeOf(`filterAttr${i}`), `filterValue${i}`))
  })
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`
}

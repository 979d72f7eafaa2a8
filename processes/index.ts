// Business processes across systems: definitions (schema, loader, model); the deriver, key
// correlation and KPI queries join here as they land. Other parts enter only through this file.
export * from './definitions/index.ts'
export * from './import/index.ts'
export * from './kpis/index.ts'
export * from './correlation/index.ts'
export * from './derive/index.ts'

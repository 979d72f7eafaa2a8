// Process definitions as code: the YAML format (one TypeBox schema), the loader that checks
// a directory of definitions, and the frozen ProcessDefinition model the rest of throughline
// reads. See docs/process-definitions.md.
export * from './names.ts'
export * from './model.ts'
export * from './problems.ts'
export { ProcessDefinitionSchema, type ProcessDefinitionDocument } from './schema.ts'
export { checkDefinitionTexts, DEFAULT_DEFINITIONS_DIR, loadProcessDefinitions, type DefinitionLoad } from './loader.ts'
export { reachableFrom } from './reachability.ts'
export { milestoneRecogniser, type Recognition, type RecordView } from './recognise.ts'
// The YAML-with-lines toolkit, shared with the other files-as-code (alert rules).
export { readSourceFile, type SourceDocument, type SourceFile } from './yaml-source.ts'
export { schemaIssues, type SchemaIssue } from './schema-errors.ts'

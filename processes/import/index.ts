// Reading historical event logs (XES, CSV, OCEL 2.0) into business events for
// `throughline import`: streaming readers, format detection and the CSV mapping file.
export { readEventLog, readEventLogObjects } from './read-event-log.ts'
export { detectEventLogFormat, type DetectedFormat } from './format-detection.ts'
export { type ImportedEvent, type ImportedObject, type Lifecycle, type ObjectRef, keyTypeOfObjectType, lifecycleOf } from './imported-event.ts'
export { EVENT_LOG_FORMATS, type EventLogFormat, type ImportWarning, type ReadEventLogOptions, type ReadProgress } from './read-options.ts'
export { type CsvMapping, CsvMappingSchema, parseCsvMapping, readCsvMappingFile } from './csv-mapping.ts'
export { EventLogError, type EventLogProblem, type LogLocation } from './event-log-error.ts'
export { formatInstant } from './timestamp.ts'
export { importEventLog, type ImportOptions, type ImportProgress, type ImportSummary } from './import-into-store.ts'
export { businessEventJson, utcDateTime64Text } from './business-event-json.ts'

// Shared foundations every part may use: config, errors, semantic conventions, logging.
export * from './config.ts'
export * from './config-file.ts'
export * from './errors.ts'
export * from './logger.ts'
export * from './semconv.ts'

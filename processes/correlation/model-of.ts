import type { ProcessDefinition } from '../definitions/index.ts'
import type { CorrelationModel } from './nodes.ts'

/** A definition's correlation model: its root key and the keys it declares with role instance. */
export function correlationModelOf(definition: ProcessDefinition): CorrelationModel {
  return {
    process: definition.name,
    rootKey: definition.rootKey,
    instanceKeyTypes: new Set([definition.rootKey, ...definition.keys.filter((key) => key.role === 'instance').map((key) => key.type)]),
  }
}

// Turns the SDK's typed fields into the attribute names of core/semconv.ts. Spans, span
// events and log records share these builders, so one field always lands under one name
// whichever route a record takes to the store.

import { type Attributes } from '@opentelemetry/api'
import { BusinessAttr, IntegrationAttr, TenantAttr } from '../core/semconv.ts'
import { checkCurrency, checkFiniteNumber, checkPositiveInteger, checkText, fieldError } from './field-checks.ts'

/** Which process step a record marks, where, and what it is worth. */
export interface BusinessFields {
  /** Process definition name, e.g. `lead_to_cash`. */
  readonly process?: string
  /** Version of the process definition the emitter was written against. */
  readonly processVersion?: string
  /** The step, e.g. `sales_order.created`. */
  readonly milestone?: string
  /** The business object type, e.g. `sales_order`. */
  readonly object?: string
  /** System of record where the step happened: `CRM`, `ERP`, `WMS`... */
  readonly system?: string
  readonly tenant?: string
  /** Amount or quantity the instance carries (value at risk sums it). */
  readonly value?: number
  /** ISO 4217 code of `value`. */
  readonly currency?: string
}

/** Which integration moved the data, between which systems, in which try. */
export interface IntegrationFields {
  /** Flow, interface or job name, e.g. `crm-to-erp-orders`. */
  readonly integration?: string
  readonly sourceSystem?: string
  readonly targetSystem?: string
  /** Idempotency key of the technical operation; all its retries share it. */
  readonly operationId?: string
  /** 1 for the first try, 2 for the first retry... */
  readonly attempt?: number
}

export const MAX_ATTEMPT = 65_535

const putText = (attributes: Attributes, name: string, field: string, value: string | undefined): void => {
  if (value !== undefined) attributes[name] = checkText(field, value)
}

export const businessFieldAttributes = (fields: BusinessFields): Attributes => {
  const attributes: Attributes = {}
  putText(attributes, BusinessAttr.process, 'process', fields.process)
  putText(attributes, BusinessAttr.processVersion, 'processVersion', fields.processVersion)
  putText(attributes, BusinessAttr.milestone, 'milestone', fields.milestone)
  putText(attributes, BusinessAttr.object, 'object', fields.object)
  putText(attributes, BusinessAttr.system, 'system', fields.system)
  putText(attributes, TenantAttr.id, 'tenant', fields.tenant)
  if (fields.value !== undefined) attributes[BusinessAttr.value] = checkFiniteNumber('value', fields.value)
  if (fields.currency !== undefined) {
    // A currency alone would sum nothing; it qualifies a value.
    if (fields.value === undefined) throw fieldError('currency', 'needs value to be set as well')
    attributes[BusinessAttr.currency] = checkCurrency('currency', fields.currency)
  }
  return attributes
}

export const integrationFieldAttributes = (fields: IntegrationFields): Attributes => {
  const attributes: Attributes = {}
  putText(attributes, IntegrationAttr.name, 'integration', fields.integration)
  putText(attributes, IntegrationAttr.sourceSystem, 'sourceSystem', fields.sourceSystem)
  putText(attributes, IntegrationAttr.targetSystem, 'targetSystem', fields.targetSystem)
  putText(attributes, IntegrationAttr.operationId, 'operationId', fields.operationId)
  if (fields.attempt !== undefined) {
    const attempt = checkPositiveInteger('attempt', fields.attempt)
    // The Attempt column is a UInt16, and POST /v1/events refuses more for the same reason.
    if (attempt > MAX_ATTEMPT) throw fieldError('attempt', `must be at most ${MAX_ATTEMPT}, got ${attempt}`)
    attributes[IntegrationAttr.attempt] = attempt
  }
  return attributes
}

const RESERVED_PREFIXES = ['business.', 'integration.', 'sync.'] as const

/**
 * Free-form extra attributes (`customer_tier`, `region`...). Names under our own prefixes
 * are refused: they would bypass the checks above and could overwrite a validated field.
 */
export const extraAttributes = (field: string, attributes: Attributes | undefined): Attributes => {
  if (attributes === undefined) return {}
  for (const name of Object.keys(attributes)) {
    const prefix = RESERVED_PREFIXES.find((reserved) => name.startsWith(reserved))
    if (prefix !== undefined) {
      throw fieldError(`${field}["${name}"]`, `uses the reserved prefix "${prefix}": set it through the named option instead`)
    }
  }
  return { ...attributes }
}

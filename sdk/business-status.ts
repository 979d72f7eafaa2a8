// The status of a business event, as the event model defines it (business.status in
// core/semconv.ts). A closed union: the KPIs branch on these six values and nothing else.

import { BUSINESS_STATUSES, type BusinessStatus } from '../core/semconv.ts'
import { describe, fieldError } from './field-checks.ts'

export { BUSINESS_STATUSES, type BusinessStatus }

export const isBusinessStatus = (value: unknown): value is BusinessStatus => BUSINESS_STATUSES.some((status) => status === value)

export const checkBusinessStatus = (field: string, value: unknown): BusinessStatus => {
  if (!isBusinessStatus(value)) throw fieldError(field, `must be one of ${BUSINESS_STATUSES.join(', ')}, got ${describe(value)}`)
  return value
}

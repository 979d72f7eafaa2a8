// businessKeys() is the one way to make BusinessKeys: it checks key types and values
// against the limits POST /v1/events applies, and trusts only objects it built itself.

import { describe, expect, it } from 'vitest'
import { businessKeyAttributes, businessKeys } from '../../sdk/index.ts'

describe('businessKeys', () => {
  it('returns a frozen copy, and the same object when given keys it built', () => {
    const input = { order_id: 'O-1', so_number: '4500017' }
    const keys = businessKeys(input)
    expect(keys).toStrictEqual(input)
    expect(keys).not.toBe(input)
    expect(Object.isFrozen(keys)).toBe(true)
    expect(businessKeys(keys)).toBe(keys)
  })

  it('turns keys into business.key.* attributes', () => {
    expect(businessKeyAttributes(businessKeys({ order_id: 'O-1', so_number: '4500017' }))).toStrictEqual({
      'business.key.order_id': 'O-1',
      'business.key.so_number': '4500017',
    })
  })

  it('accepts key types of lower case, digits and underscores up to 64 characters', () => {
    expect(businessKeys({ a: '1', invoice_no_2: 'x', ['k'.repeat(64)]: 'y' })).toBeTruthy()
  })

  it('refuses what the store could not hold as <type>=<value>, naming the key', () => {
    expect(() => businessKeys({ order_Id: 'O1' })).toThrow(new TypeError('keys.order_Id is not a valid key type: it must match /^[a-z][a-z0-9_]*$/'))
    expect(() => businessKeys({ 'order.id': 'O1' })).toThrow(new TypeError('keys.order.id is not a valid key type: it must match /^[a-z][a-z0-9_]*$/'))
    expect(() => businessKeys({ _order: 'O1' })).toThrow(new TypeError('keys._order is not a valid key type: it must match /^[a-z][a-z0-9_]*$/'))
    expect(() => businessKeys({ ['k'.repeat(65)]: 'O1' })).toThrow(new TypeError(`keys.${'k'.repeat(65)} is longer than 64 characters`))
    expect(() => businessKeys({ order_id: 'x'.repeat(513) })).toThrow(new TypeError('keys.order_id is longer than 512 characters'))
    expect(() => businessKeys({ order_id: '  ' }, 'options.keys')).toThrow(new TypeError('options.keys.order_id must be a non-empty string, got "  "'))
  })
})

// A small order flow for the deriver and KPI tests: an order, its ERP sales order, deliveries
// (children, all must ship) and invoices; a customer id that must never link two orders.
import { checkDefinitionTexts, type ProcessDefinition } from '../../../processes/index.ts'

export const ORDER_FLOW_YAML = `
name: order_flow
version: 3
root_key: order
keys:
  - type: order
  - type: so
  - type: dlv
  - type: inv
  - type: customer
    role: reference
milestones:
  - name: order.created
    system: CRM
    recognised_by:
      - from: span
        span_name: POST /orders
        status: ok
  - name: so.created
    system: ERP
  - name: delivery.shipped
    system: WMS
  - name: invoice.posted
    system: FIN
  - name: batch.posted
    system: FIN
    recognised_by:
      - from: span
        span_name: { pattern: '^post batch \\d+$' }
start: [order.created]
terminal:
  - { milestone: delivery.shipped, outcome: completed }
children:
  - key: dlv
    parent_key: so
    milestones: [delivery.shipped]
    completion: all
`

export function orderFlow(name = 'order_flow'): ProcessDefinition {
  const load = checkDefinitionTexts([{ file: 'order-flow.yaml', text: ORDER_FLOW_YAML.replace('name: order_flow', `name: ${name}`) }])
  if (!load.ok) throw new Error(JSON.stringify(load.problems))
  return load.definitions[0]!
}

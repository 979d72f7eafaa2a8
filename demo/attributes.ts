// OpenTelemetry semantic-convention attributes the simulated systems put on their spans: the
// same for every scenario, apart from the broker a scenario's queues run on.

/** Standard HTTP attributes of a call (client side). */
export const httpAttributes = (method: string, url: string): Record<string, string> => {
  const parsed = new URL(url)
  return { 'http.request.method': method, 'url.full': url, 'server.address': parsed.hostname }
}

/** A request served (server side). */
export const serverAttributes = (method: string, route: string, status: number): Record<string, string | number> => ({
  'http.request.method': method,
  'http.route': route,
  'http.response.status_code': status,
})

/** A message sent or processed on the scenario's broker (`messaging.system`). */
export const brokerAttributes = (system: string, destination: string, operation: 'send' | 'process', messageId: string): Record<string, string> => ({
  'messaging.system': system,
  'messaging.destination.name': destination,
  'messaging.operation.type': operation,
  'messaging.message.id': messageId,
})

// How the collector says no: the spool's admission decision as an HTTP refusal, and one
// writer of refusals (status, Retry-After, google.rpc.Status body in the request's encoding).
import type { FastifyReply } from 'fastify'
import { ErrorCode } from '../../core/errors.ts'
import type { Admission } from '../pipeline.ts'
import { grpcCodeFor, RequestRefusal } from './refusal.ts'
import type { PayloadEncoding } from './request-body.ts'
import { statusBody } from './status-body.ts'

export function admissionRefusal(admission: Admission): RequestRefusal | null {
  switch (admission.kind) {
    case 'open':
      return null
    case 'spool_unwritable':
      return new RequestRefusal(
        503,
        ErrorCode.spoolUnwritable,
        `the spool cannot be written (${admission.reason}); nothing was accepted, retry later`,
        admission.retryAfterSeconds,
      )
    case 'closed':
      return new RequestRefusal(503, ErrorCode.shuttingDown, 'the collector is shutting down; retry against another instance or later', 5)
    case 'spool_full':
      // 503 while ClickHouse is failing (the cause is downstream), 429 when the writer is
      // healthy but behind: both are retryable for OTLP clients.
      return admission.storeFailing
        ? new RequestRefusal(503, ErrorCode.spoolFull, 'the spool is full because ClickHouse is unavailable; retry later', admission.retryAfterSeconds)
        : new RequestRefusal(429, ErrorCode.spoolFull, 'the spool is full; the writer is behind, retry later', admission.retryAfterSeconds)
  }
}

export function sendRefusal(reply: FastifyReply, encoding: PayloadEncoding, refusal: RequestRefusal): FastifyReply {
  if (refusal.retryAfterSeconds !== undefined) reply.header('retry-after', String(refusal.retryAfterSeconds))
  const message = `${refusal.code}: ${refusal.message}`
  return reply
    .code(refusal.statusCode)
    .type(encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json')
    .send(statusBody(encoding, grpcCodeFor(refusal.statusCode), message))
}

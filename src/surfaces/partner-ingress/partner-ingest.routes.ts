import type { Request } from 'express';
import { ingestContext, receivePartnerEvent } from '../../modules/partners';
import { partnerAckResponseSchema } from '../http/openapi/response-schemas';
import { defineOperation, type Operation } from '../http/operation';

function lowerCaseHeaders(req: Request): Record<string, string> {
  // Node's parser already lower-cases incoming header names.
  const out: Record<string, string> = {};
  const headers = req.headers;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * POST /partners/:partner/events/:event_type (+ /webhooks/callback/:event_type), CONTRACT §4: the body is
 * read as raw bytes (auth `partner`), since signatures cover exactly what was sent; the use case verifies it.
 */
export const partnerIngressOperations: Operation[] = (['events', 'webhooks/callback'] as const).map((kind) =>
  defineOperation({
    id: kind === 'events' ? 'receivePartnerEvent' : 'receivePartnerCallback',
    method: 'post',
    path: `/:partner/${kind}/:event_type`,
    tag: 'Partner ingestion',
    auth: 'partner',
    summary: kind === 'events' ? 'A POS pushes one native event' : 'A POS webhook callback (same handling, for vendors that need this URL shape)',
    description:
      'The body is the POS\'s native payload (up to 1 MiB); the signature covers its raw bytes. `webhooks.test_notification` ' +
      'with a valid signature is answered `{"status": "ok"}` and nothing is stored. Otherwise the payload is stored and queued: ' +
      'ack `queued` answers once it is durably queued; ack `processed` waits up to 10 s for the worker. An unknown location or ' +
      'a mapping that yields nothing makes the event `ignored`, still answered 200.',
    responses: [
      {
        status: 200, description: 'Verified test notification, queued event, or processed/ignored event (ack `processed`).',
        schema: partnerAckResponseSchema, example: { status: 'accepted', event_id: 'evt_0mhv2k1q3a8x4n2p7r9t1c' },
      },
      {
        status: 202, description: 'ack `processed`: still running after 10 s; it will finish.',
        schema: partnerAckResponseSchema, example: { status: 'processing', event_id: 'evt_0mhv2k1q3a8x4n2p7r9t1c' },
      },
    ],
    errors: [
      'unknown_partner', 'missing_signature', 'invalid_signature', 'invalid_payload', 'validation_error', 'payload_too_large',
      'sale_in_progress', 'processing_failed', 'unavailable',
    ],
    handler: (deps) => {
      const ctx = ingestContext(deps);
      return async ({ params, req, res }) => {
        const { status, body } = await receivePartnerEvent(
          ctx,
          {
            partner: params.partner,
            eventType: params.event_type,
            rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
            headers: lowerCaseHeaders(req),
            // The public URL as the POS saw it: X-Forwarded-Proto/Host behind a proxy, whatever TRUST_PROXY
            // says (that decides client IPs; a forged host here only makes the signature check fail).
            // Built on demand: only a scheme that signs the URL reads it.
            get url() {
              const forwarded = (name: string) => req.get(name)?.split(',')[0]?.trim() || undefined;
              return `${forwarded('x-forwarded-proto') ?? req.protocol}://${forwarded('x-forwarded-host') ?? req.get('host') ?? ''}${req.originalUrl}`;
            },
          },
          () => req.log,
        );
        res.status(status).json(body);
      };
    },
  }),
);

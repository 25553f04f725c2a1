import { type Request, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { ingestContext, receivePartnerEvent } from '../../ingest/receive-partner-event';
import { rawBody as readRawBody } from '../body-parsers';


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

/** POST /partners/:partner/events/:event_type (+ /webhooks/callback/:event_type), CONTRACT §4. */
export function partnerIngestRouter(deps: AppDeps): Router {
  const router = Router();
  const ctx = ingestContext(deps);
  // The signed partner routes read the body as raw bytes: signatures cover exactly what was sent.
  const rawBody = readRawBody();

  router.post(['/:partner/events/:event_type', '/:partner/webhooks/callback/:event_type'], rawBody, async (req, res) => {
    const { status, body } = await receivePartnerEvent(
      ctx,
      {
        partner: req.params.partner as string,
        eventType: req.params.event_type as string,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        headers: lowerCaseHeaders(req),
        // The public URL as the POS saw it (X-Forwarded-Proto/Host behind a proxy: trust proxy is on).
        // Built on demand: only a scheme that signs the URL reads it.
        get url() {
          return `${req.protocol}://${req.host}${req.originalUrl}`;
        },
      },
      () => req.log,
    );
    res.status(status).json(body);
  });

  return router;
}

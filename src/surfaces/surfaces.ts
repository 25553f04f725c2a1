/**
 * The surfaces the app serves, each a list of declared operations under one prefix. createApp mounts
 * them (src/surfaces/app.ts) and the OpenAPI document is built from the same lists, so a route and its
 * documentation are one declaration.
 */
import { buildOpenApiDocument } from './http/openapi/openapi-document';
import { defineOperation, type Surface } from './http/operation';
import { adminOperations } from './admin';
import { integratorApiOperations } from './integrator-api';
import { docsOperations } from './docs.routes';
import { healthOperations } from './health.routes';
import { partnerIngressOperations } from './partner-ingress/partner-ingest.routes';
import { publicOperations } from './public-api';

/** `GET /api/v1/openapi` (no API key): the document of every surface below, built once, on the first request. */
const openApiOperation = defineOperation({
  id: 'getOpenApiDocument', method: 'get', path: '/openapi', tag: 'Operations', auth: 'public',
  summary: 'This OpenAPI 3.1 document',
  responses: [{ status: 200, description: 'The document.', schema: { type: 'object' } }],
  handler: () => {
    let body: string | null = null;
    return ({ res }) => {
      body ??= JSON.stringify(buildOpenApiDocument(DOCUMENTED_SURFACES));
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.type('application/json').send(body);
    };
  },
});

/** POS vendors (CONTRACT §4). */
export const PARTNER_INGRESS: Surface = { prefix: '/partners', operations: partnerIngressOperations };
/** Health, metrics and the reference page, at the root. */
export const SERVICE: Surface = { prefix: '', operations: [...healthOperations, ...docsOperations] };
/** The platform operator (CONTRACT §3). */
export const ADMIN: Surface = { prefix: '/admin/v1', operations: adminOperations };
/** Integrators with a venue's API key (CONTRACT §6); the document itself is public. */
export const INTEGRATOR_API: Surface = { prefix: '/api/v1', operations: [openApiOperation, ...integratorApiOperations] };

/** The public booking widget API (CONTRACT §10): no credentials, limited per client IP. */
export const PUBLIC_API: Surface = { prefix: '/api/v1/public', operations: publicOperations };

/** In the document's order. */
export const DOCUMENTED_SURFACES: readonly Surface[] = [SERVICE, INTEGRATOR_API, PUBLIC_API, PARTNER_INGRESS, ADMIN];

import { Router } from 'express';
import { buildOpenApiDocument } from '../../openapi/openapi-document';

/**
 * `GET /api/v1/openapi` (no API key): the OpenAPI 3.1 document of every public route. Built once, on the
 * first request, from the same schema objects the routes validate with.
 */
export function openApiRouter(): Router {
  const router = Router();
  let body: string | null = null;

  router.get('/openapi', (_req, res) => {
    body ??= JSON.stringify(buildOpenApiDocument());
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(body);
  });

  return router;
}

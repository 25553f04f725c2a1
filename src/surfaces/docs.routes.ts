import path from 'node:path';
import express, { Router } from 'express';
import { defineOperation } from './http/operation';

/** Where the OpenAPI document is served (no auth); the page renders it. */
export const OPENAPI_URL = '/api/v1/openapi';
const ASSETS_URL = '/docs/assets';

/** The files of swagger-ui-dist the page loads; nothing else in that folder is served. */
const ASSETS = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png', '/favicon-16x16.png']);

/** A file rather than an inline script, so the page also works under a `script-src 'self'` CSP. */
const INIT_JS = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_URL)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
};
`;

/** Resolved once; the package ships its browser bundle as static files, so the page needs no network. */
function swaggerUiDir(): string {
  return path.dirname(require.resolve('swagger-ui-dist/package.json'));
}

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Tablesync API reference</title>
  <link rel="stylesheet" href="${ASSETS_URL}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${ASSETS_URL}/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <noscript>The interactive reference needs JavaScript. The raw OpenAPI 3.1 document is at <a href="${OPENAPI_URL}">${OPENAPI_URL}</a>.</noscript>
  <script src="${ASSETS_URL}/swagger-ui-bundle.js" charset="utf-8"></script>
  <script src="${ASSETS_URL}/init.js" charset="utf-8"></script>
</body>
</html>
`;

/**
 * `GET /docs`: the human API reference (Swagger UI from the `swagger-ui-dist` package, served from
 * node_modules, so it works offline), reading the same document as `GET /api/v1/openapi`.
 */
export const docsOperations = [
  defineOperation({
    id: 'getDocs', method: 'get', path: '/docs', tag: 'Operations', auth: 'public',
    summary: 'This reference as a web page (Swagger UI)',
    responses: [{ status: 200, description: 'HTML page.', contentType: 'text/html', schema: { type: 'string' } }],
    handler: () => ({ res }) => {
      res.type('html').send(PAGE);
    },
  }),
];

/** The page's static files: files, not API operations, so not in the document. */
export function docsAssetsRouter(): Router {
  const router = Router();
  const assets = express.static(swaggerUiDir(), { index: false, fallthrough: true, maxAge: '1d' });
  router.use(ASSETS_URL, (req, res, next) => {
    if (req.path === '/init.js' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.type('text/javascript').send(INIT_JS);
      return;
    }
    if (!ASSETS.has(req.path)) {
      next();
      return;
    }
    assets(req, res, next);
  });
  return router;
}

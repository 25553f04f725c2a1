import express, { type Express } from 'express';
import helmet from 'helmet';
import type { AppDeps } from '../app-deps';
import { errorEnvelope, notFoundHandler } from './middleware/error-envelope';
import { requestContext } from './middleware/request-context';
import { adminRouter } from './routes/admin';
import { apiRouter } from './routes/api';
import { healthRouter } from './routes/health.routes';
import { partnerIngestRouter } from './routes/partner-ingest.routes';

/**
 * Builds the Express app from its dependencies (no listen), so tests build it against their own database
 * and Redis prefix. Body parsing is per router: raw bytes on the signed partner routes, JSON elsewhere.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(requestContext(deps.logger, deps.metrics));

  app.use(healthRouter(deps));
  app.use('/partners', partnerIngestRouter(deps));
  app.use('/admin/v1', adminRouter(deps));
  app.use('/api/v1', apiRouter(deps));

  app.use(notFoundHandler);
  app.use(errorEnvelope);
  return app;
}

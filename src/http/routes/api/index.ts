import express, { Router } from 'express';
import type { AppDeps } from '../../../app-deps';

/** `/api/v1`: the booking API for integrators. One line per resource router. */
export function apiRouter(_deps: AppDeps): Router {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  return router;
}

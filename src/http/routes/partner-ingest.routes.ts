import { Router } from 'express';
import type { AppDeps } from '../../app-deps';

/** POST /partners/:partner/events/:event_type (+ /webhooks/callback/:event_type). */
export function partnerIngestRouter(_deps: AppDeps): Router {
  return Router();
}

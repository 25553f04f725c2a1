import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../../../platform/app-error';
import { ADMIN_PRINCIPAL, setPrincipal } from '../principal';

/**
 * `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time (both sides hashed to equal length).
 * The caller is then the admin Principal. While ADMIN_TOKEN is unset the admin API does not exist: 404.
 */
export function adminAuth(adminToken: string | null): RequestHandler {
  const expected = adminToken === null ? null : createHash('sha256').update(adminToken).digest();
  return (req, res, next) => {
    if (expected === null) {
      next(new AppError('admin_api_disabled', 'The admin API is disabled: ADMIN_TOKEN is not set.'));
      return;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    const given = createHash('sha256').update(match?.[1] ?? '').digest();
    if (!match || !timingSafeEqual(given, expected)) {
      next(new AppError('unauthorized', 'A valid admin bearer token is required.'));
      return;
    }
    setPrincipal(res, ADMIN_PRINCIPAL);
    next();
  };
}

import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../../../platform/db/db-errors';
import { AppError } from '../../../platform/app-error';
import { outageLog } from '../../../platform/logger';

/** Unknown routes: 404 in the contract's envelope. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `No route for ${req.method} ${req.path}.`));
};

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** Turns anything thrown into `{error: {code, message, details}}`; a 5xx never shows a stack. */
export const errorEnvelope: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const appError = toAppError(err);
  if (appError.code === 'unavailable' && req.log) {
    // An outage fails every request alike: one paced line per dependency, not one per request. Other
    // 503s come from Redis (an event or a replay that cannot be queued).
    outageLog(isDatabaseUnavailable(err) ? 'database' : 'redis').report(req.log, err, { path: req.path });
  } else if (appError.status >= 500) {
    req.log?.error({ err }, 'request failed');
  }
  for (const [name, value] of Object.entries(appError.headers)) res.setHeader(name, value);
  if (res.headersSent) return;
  res.status(appError.status).json(appError.toEnvelope());
};

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) {
    return new AppError('unavailable', 'The service is briefly unavailable; retry shortly.', null, { 'Retry-After': '5' });
  }
  const e = err as BodyParserError;
  if (e?.type === 'entity.parse.failed') return new AppError('invalid_json', 'The request body is not valid JSON.');
  if (e?.type === 'entity.too.large') {
    return new AppError('payload_too_large', 'The request body is too large.', { limit_bytes: e.limit ?? null });
  }
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new AppError('unsupported_media_type', 'Unsupported body encoding.');
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError('validation_error', 'The request could not be read.', { reason: e.type ?? null });
  }
  return new AppError('internal_error', 'Something went wrong on our side. It has been logged.');
}

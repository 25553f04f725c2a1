import express, { type RequestHandler } from 'express';
import { AppError } from '../../shared/app-error';
import { parseJsonLossless } from '../../shared/lossless-json';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * express.json, but lossless (shared/lossless-json.ts, as the ingest edge parses): an integer beyond 2^53
 * in an admin body (a dry run's `payload`, a location id) arrives as a digit string with every digit
 * instead of a rounded number. Same media types, limit, empty-body and top-level rules as express.json
 * (strict: an object or an array); a key repeated with different values is invalid JSON here.
 */
export function losslessJsonBody(limit: string): RequestHandler[] {
  const text = express.text({ type: JSON_TYPES, limit, defaultCharset: 'utf-8' });
  const parse: RequestHandler = (req, _res, next) => {
    if (typeof req.body !== 'string') return next();
    const body = req.body.trim();
    if (body === '') {
      req.body = {};
      return next();
    }
    if (body[0] !== '{' && body[0] !== '[') return next(new AppError('invalid_json', 'The request body is not valid JSON.'));
    try {
      req.body = parseJsonLossless(body);
    } catch {
      return next(new AppError('invalid_json', 'The request body is not valid JSON.'));
    }
    next();
  };
  return [text, parse];
}

import type { Socket } from 'node:net';
import express, { type Request, type RequestHandler } from 'express';
import { AppError } from '../../platform/app-error';
import { assertJsonDepth, JsonTooDeepError, MAX_JSON_DEPTH, parseJsonLossless } from '../../platform/lossless-json';
import { wellFormed } from '../../platform/storable';

/**
 * The request body parsers, one place for their limits (CONTRACT §4: over 1 MiB → 413):
 * - `jsonBody()` for the JSON routes (/api/v1; /admin/v1 with `lossless`): nesting beyond MAX_JSON_DEPTH is 400
 *   validation_error (recursive readers, e.g. the Idempotency-Key fingerprint, would overflow their
 *   stack), and lone surrogates in strings become U+FFFD (storable.ts).
 * - `rawBody()` for the signed POS routes: the exact bytes (the adapter parses them, depth-bounded too).
 * Both refuse a body over the limit at once, before reading it: a declared Content-Length over the limit
 * is answered 413 without waiting for the bytes, and so is a chunked body as soon as it passes the limit.
 * Either way the connection is closed after the answer, so the rest of the body is never parsed (it is read and
 * dropped for a short while first: lingeringClose).
 */

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** How long, and how many bytes, a refused body is still read and dropped after its 413 (lingeringClose). */
const LINGER_MS = 2000;
const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * The 413 goes out while the client is still sending. Closing the socket with those bytes unread makes the
 * kernel reset the connection, and the reset discards the 413 in the client's buffer before it is read (it
 * sees ECONNRESET, not the answer). So, as Apache and nginx do, the close is lingering: the server half-closes
 * after the answer and reads and drops what still comes until the client closes, for at most LINGER_MS and
 * LINGER_BYTES. (Node's HTTP server ends a `Connection: close` socket through `destroySoon`; only this
 * request's socket gets the lingering one.)
 */
function lingeringClose(req: Request): void {
  const socket = req.socket as Socket & { destroySoon?: () => void };
  const close = socket.destroySoon?.bind(socket);
  socket.destroySoon = () => {
    if (req.complete || !close) return close ? close() : socket.destroy();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    let dropped = 0;
    // Read through the request (the HTTP parser owns the socket's reads): its end is the client's last byte.
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_BYTES) socket.destroy();
    });
    req.once('end', () => socket.destroy());
    socket.end();
    req.resume();
  };
}

function tooLarge(req: Request, limit: number): AppError {
  lingeringClose(req);
  return new AppError('payload_too_large', 'The request body is too large.', { limit_bytes: limit }, { Connection: 'close' });
}

/**
 * Wraps a body-parser middleware with the early 413. body-parser itself reads a too-large body to its
 * end before answering (so a client declaring 999999999999 bytes waited for ever).
 */
function bounded(parser: RequestHandler, limit: number): RequestHandler {
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) return next(tooLarge(req, limit));
    let finished = false;
    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      req.off('data', count);
      next(err);
    };
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) finish(tooLarge(req, limit));
    };
    void parser(req, res, finish);
    // Without a declared length (chunked) the bytes are counted as they come; with one, Node's parser
    // never reads past it, so there is nothing to count.
    if (declared === undefined && !finished) req.on('data', count);
  };
}

/** Lone surrogates can only arrive as `\uD8xx`…`\uDFxx` escapes (raw bytes of one are invalid UTF-8). */
const SURROGATE_ESCAPE = /\\u[dD][89abAB]/;
const MAY_HOLD_SURROGATES = Symbol('mayHoldSurrogates');

/** Depth bound and surrogate flag on a body's text, before it is parsed (latin1 of the bytes reads the same). */
function checkJsonText(req: unknown, text: string): void {
  try {
    assertJsonDepth(text);
  } catch (err) {
    if (err instanceof JsonTooDeepError) {
      throw new AppError('validation_error', `Invalid body: nests deeper than ${MAX_JSON_DEPTH} levels.`, {
        field: '(body)',
        max_depth: MAX_JSON_DEPTH,
        errors: [{ field: '(body)', message: `nests deeper than ${MAX_JSON_DEPTH} levels` }],
      });
    }
    throw err;
  }
  if (SURROGATE_ESCAPE.test(text)) (req as Record<symbol, boolean>)[MAY_HOLD_SURROGATES] = true;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * express.json's rules (media types, limit, empty body = {}, strict: an object or an array at the top), but
 * lossless (shared/lossless-json.ts, as the ingest edge parses): an integer beyond 2^53 in an admin body (a
 * dry run's `payload`, a location id) arrives as a digit string with every digit instead of a rounded number.
 * A key repeated with different values is invalid JSON here.
 */
function losslessJson(limit: number): RequestHandler {
  const text = express.text({ type: JSON_TYPES, limit, defaultCharset: 'utf-8' });
  return (req, res, next) => text(req, res, (err?: unknown) => {
    if (err) return next(err);
    if (typeof req.body !== 'string') return next();
    const body = req.body.trim();
    if (body === '') {
      req.body = {};
      return next();
    }
    if (body[0] !== '{' && body[0] !== '[') return next(new AppError('invalid_json', 'The request body is not valid JSON.'));
    try {
      checkJsonText(req, body);
    } catch (e) {
      return next(e);
    }
    try {
      req.body = parseJsonLossless(body);
    } catch {
      return next(new AppError('invalid_json', 'The request body is not valid JSON.'));
    }
    next();
  });
}

/** JSON bodies of the API routes (`lossless: true` for the admin routes, whose payloads carry POS ids). */
export function jsonBody(limit = BODY_LIMIT_BYTES, options: { lossless?: boolean } = {}): RequestHandler {
  const parse = options.lossless
    ? losslessJson(limit)
    : express.json({ limit, verify: (req, _res, buf) => checkJsonText(req, buf.toString('latin1')) });
  const sanitise: RequestHandler = (req, _res, next) => {
    if ((req as unknown as Record<symbol, boolean>)[MAY_HOLD_SURROGATES]) req.body = wellFormed(req.body);
    next();
  };
  const bounds = bounded(parse, limit);
  return (req, res, next) => bounds(req, res, (err?: unknown) => (err ? next(err) : sanitise(req, res, next)));
}

/** The raw bytes of a signed POS request, whatever its Content-Type (the adapter decides what it can parse). */
export function rawBody(limit = BODY_LIMIT_BYTES): RequestHandler {
  return bounded(express.raw({ limit, type: () => true }), limit);
}

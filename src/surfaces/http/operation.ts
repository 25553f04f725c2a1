/**
 * An HTTP operation, declared once: method, path, who may call, scope, request schemas, idempotency, the
 * documented responses and the handler. The router (mount-operations.ts) mounts exactly the middleware these
 * facts imply, and the OpenAPI document (openapi/openapi-document.ts) is built from the same declarations,
 * so the scope a route checks and the scope it documents are one value.
 */
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-deps';
import type { ErrorCode } from '../../platform/app-error';
import { compileQuerySchema } from './pagination';
import type { Principal, PrincipalVenue, Scope } from './principal';
import { compileSchema, parseWith } from './validation';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call: an integrator's API key or a venue user's session (`/api/v1`, venue-scoped, rate-limited;
 * keys need a paid plan), the platform's admin token or an operator's session, any signed-in staff member
 * (`session`: the session routes themselves), a POS (the use case verifies its signature over the raw
 * body), anyone (`public`), or a guest on the public booking widget API (`guest`: no credentials, a limit
 * per client IP and route, CORS; a `:slug` in the path names the venue, which must take public bookings).
 * A session's writes need its CSRF token.
 */
export type Auth = 'apiKey' | 'admin' | 'session' | 'partner' | 'public' | 'guest';

/** A documented success response. */
export interface Success {
  status: number;
  description: string;
  /** A schema object (a named component is referenced, others are inlined); omitted: no body. */
  schema?: object;
  /** @defaultValue 'application/json' */
  contentType?: string;
  example?: unknown;
}

/** A request schema (ajv, compiled once at boot) and the parser for the type derived from it. */
export interface RequestSchema<T> {
  readonly schema: object;
  /** The typed (and defaulted) value, or 400 validation_error naming the field. */
  readonly parse: (value: unknown) => T;
}

/**
 * A JSON body schema; `T` is the type derived from the schema (FromSchema, in the schema's file).
 * `optional`: a request without a body is read as `{}` (a POST whose every field is optional).
 */
export function bodySchema<T>(schema: object, options: { optional?: boolean } = {}): RequestSchema<T> {
  const validate = compileSchema<T>(schema as Record<string, unknown>);
  return { schema, parse: (value) => parseWith(validate, options.optional && value === undefined ? {} : value) };
}

/** A query-string schema: integers and booleans are read from their plain spellings first (pagination.ts). */
export function querySchema<T>(schema: object): RequestSchema<T> {
  return { schema, parse: compileQuerySchema<T>(schema as Record<string, unknown>) };
}

type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** `/bookings/:id` → `{ id: string }`. */
export type PathParams<P extends string> = { [K in ParamNames<P>]: string };

/** What a handler gets: the parsed input and who is calling. */
export interface OperationContext<P extends string, A extends Auth, B, Q> {
  req: Request;
  res: Response;
  params: PathParams<P>;
  body: B;
  query: Q;
  /** The authenticated caller; null on partner and public operations (a POS is verified by the use case). */
  principal: A extends 'apiKey' | 'admin' | 'session' | 'guest' ? Principal : null;
  /** The venue an API-key operation acts on (every query is scoped to it); null elsewhere. */
  venue: A extends 'apiKey' ? PrincipalVenue : null;
}

export type OperationHandler<P extends string, A extends Auth, B, Q> = (ctx: OperationContext<P, A, B, Q>) => unknown;

export interface OperationSpec<P extends string, A extends Auth, B, Q> {
  /** Unique; client generators name methods after it. */
  id: string;
  method: Method;
  /** Express syntax, relative to the surface's mount (`/sales/:id`). */
  path: P;
  tag: string;
  summary: string;
  description?: string;
  auth: A;
  /** The scope the operation requires (CONTRACT §6; §8 adds staff-only scopes no API key holds). */
  scope?: A extends 'apiKey' ? Scope : never;
  body?: RequestSchema<B>;
  /**
   * The body limit in bytes (body-parsers.ts; default 1 MiB). API bodies are parsed as JSON, admin ones
   * losslessly (POS ids keep every digit), partner ones read raw for their signature.
   */
  bodyLimit?: number;
  bodyExample?: unknown;
  query?: RequestSchema<Q>;
  /** Honours `Idempotency-Key` (CONTRACT §6). */
  idempotency?: boolean;
  /**
   * Open to booking channels' keys (CONTRACT §11, §15), which name the venue per call (`?venue_id=` or the
   * `Tablesync-Venue` header); a handler of such an operation keeps a channel to its own bookings
   * (channelOf(principal)). Every operation not marked answers a channel key 403 scope_violation.
   */
  channels?: A extends 'apiKey' ? boolean : never;
  responses: Success[];
  /** Codes this operation can answer with beyond those its auth and input imply. */
  errors?: ErrorCode[];
  /** Runs once when the surface is mounted (set-up goes here, not per request); returns the request handler. */
  handler: (deps: AppDeps) => OperationHandler<P, A, B, Q>;
}

/** A declared operation, as the router and the document see it. */
export type Operation = OperationSpec<string, Auth, unknown, unknown>;

/** Declares an operation; the path's parameters and the body and query types flow into the handler. */
export function defineOperation<const P extends string, const A extends Auth, B = undefined, Q = undefined>(
  spec: OperationSpec<P, A, B, Q>,
): Operation {
  return spec as unknown as Operation;
}

/** Operations mounted together under one path prefix, e.g. the integrator API at `/api/v1`. */
export interface Surface {
  prefix: string;
  operations: readonly Operation[];
}

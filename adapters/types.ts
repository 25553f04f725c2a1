/**
 * The contract between the core and a POS adapter. Adapters import only this file and Node
 * built-ins (ARCHITECTURE §A/§B): no express, typeorm, bullmq, ioredis or pino.
 */
import { parseJsonLossless } from '../src/platform/lossless-json';

/** The ISO 4217 exponent of a currency code (undefined for an unknown code): the core's one table. */
export { currencyExponent } from '../src/platform/currency';

export type SignatureFailureCode = 'missing_signature' | 'invalid_signature';

export type SignatureResult = { ok: true } | { ok: false; code: SignatureFailureCode };

export interface SignatureInput {
  /** The exact request bytes; never a re-serialised body. */
  rawBody: Buffer;
  /** Request headers with lower-cased names. */
  headers: Readonly<Record<string, string>>;
  /** The public URL the POS posted to (Square signs it). */
  url: string;
  /** The partner's shared secret. Empty means misconfigured: verifiers fail closed. */
  secret: string;
  /** Header name configured on the partner; each scheme has a default. */
  header?: string;
  now: Date;
}

/** Must never throw: odd input is `invalid_signature`, absent input `missing_signature`. */
export type SignatureVerifier = (input: SignatureInput) => SignatureResult;

export interface SignInput {
  secret: string;
  rawBody: Buffer | string;
  url?: string;
  header?: string;
  now?: Date;
  /** Message id for schemes that carry one (standard-webhooks). */
  id?: string;
}

/** Builds the headers a real sender would add. For tests, the demo and fixture replays. */
export type SignatureSigner = (input: SignInput) => Record<string, string>;

export interface PartnerAdapter {
  /** Registry key stored on the partner row: 'generic', 'square', … */
  readonly name: string;
  /** Extra signature schemes this adapter brings, beyond the standard ones. */
  readonly signatureSchemes?: Readonly<Record<string, SignatureVerifier>>;
  /** The header each of those schemes reads when the partner names none (lower-case; for error messages). */
  readonly signatureHeaders?: Readonly<Record<string, string>>;
  /** Signers for those extra schemes, so tests and demos can produce real signatures. */
  readonly signatureSigners?: Readonly<Record<string, SignatureSigner>>;
  /** Raw bytes → JSON value. Throw InvalidPayloadError on garbage. Default: parseJsonBody. */
  parse?(rawBody: Buffer, headers: Readonly<Record<string, string>>): unknown;
  /** Pure reshaping JSONata is bad at (units, nested JSON strings, arrays of pairs). */
  normalise?(body: unknown, ctx: { eventType: string }): unknown;
}

/** The body cannot be parsed; the HTTP edge answers 400 invalid_payload. */
export class InvalidPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPayloadError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * UTF-8 JSON, parsed losslessly: integers beyond 2^53 become decimal strings with every digit.
 * A leading BOM is tolerated; invalid UTF-8, empty bodies and invalid JSON are not.
 */
export function parseJsonBody(rawBody: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(rawBody);
  } catch {
    throw new InvalidPayloadError('Body is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new InvalidPayloadError('Body is empty');
  try {
    return parseJsonLossless(text);
  } catch (err) {
    throw new InvalidPayloadError(`Body is not valid JSON: ${(err as Error).message}`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

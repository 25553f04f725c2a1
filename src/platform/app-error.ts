/**
 * One error type end to end. The HTTP status and whether a worker should retry come from
 * ERROR_CATALOG[code]; the code itself is part of the external contract (CONTRACT.md).
 */
export const ERROR_CATALOG = {
  // generic HTTP
  invalid_json: { status: 400, retryable: false },
  validation_error: { status: 400, retryable: false },
  not_found: { status: 404, retryable: false },
  method_not_allowed: { status: 405, retryable: false },
  conflict: { status: 409, retryable: false },
  payload_too_large: { status: 413, retryable: false },
  unsupported_media_type: { status: 415, retryable: false },
  internal_error: { status: 500, retryable: true },
  unavailable: { status: 503, retryable: true },
  // auth
  unauthorized: { status: 401, retryable: false },
  admin_api_disabled: { status: 404, retryable: false },
  invalid_api_key: { status: 401, retryable: false },
  insufficient_scope: { status: 403, retryable: false },
  plan_upgrade_required: { status: 403, retryable: false },
  /** A channel key reaching beyond what channels may do, or a venue that has not let its channel in (CONTRACT §11). */
  scope_violation: { status: 403, retryable: false },
  rate_limited: { status: 429, retryable: true },
  // people and sessions (CONTRACT §8)
  invalid_credentials: { status: 401, retryable: false },
  not_signed_in: { status: 401, retryable: false },
  csrf_failed: { status: 403, retryable: false },
  forbidden: { status: 403, retryable: false },
  invite_expired: { status: 410, retryable: false },
  // partner ingestion
  unknown_partner: { status: 400, retryable: false },
  missing_signature: { status: 400, retryable: false },
  invalid_signature: { status: 400, retryable: false },
  invalid_payload: { status: 400, retryable: false },
  sale_in_progress: { status: 409, retryable: true },
  processing_failed: { status: 500, retryable: false },
  invalid_mapping: { status: 400, retryable: false },
  mapping_failed: { status: 422, retryable: false },
  // booking API
  slot_unavailable: { status: 422, retryable: false },
  invalid_transition: { status: 422, retryable: false },
  booking_not_movable: { status: 422, retryable: false },
  /** A channel's move that the venue's rules would send for approval (a party above max_instant_party_size). */
  approval_required: { status: 422, retryable: false },
  idempotency_key_reused: { status: 422, retryable: false },
  idempotency_in_progress: { status: 409, retryable: true },
  // the public widget (CONTRACT §10)
  too_late_to_change: { status: 422, retryable: false },
  // outbound webhooks
  invalid_webhook_url: { status: 400, retryable: false },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class AppError extends Error {
  readonly status: number;
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> | null = null,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_CATALOG[code].status;
    this.retryable = ERROR_CATALOG[code].retryable;
  }

  toEnvelope(): { error: { code: string; message: string; details: Record<string, unknown> | null } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found.`);

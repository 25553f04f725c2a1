/**
 * The partner console's way to the server: the documented admin API (/admin/v1), which an operator's
 * session may use (CONTRACT §8), with the session's CSRF token on writes. Errors in the contract's envelope.
 */
import type { InboundEventStatus } from '../../../src/modules/partners/pipeline/event-statuses';

export { admin, type Method } from '../api';

export const enc = encodeURIComponent;

export interface Partner {
  id: string;
  name: string;
  adapter: string;
  template: string | null;
  signature: { scheme: string; header: string | null };
  ack: 'queued' | 'processed';
  conflict: 'reject' | 'queue';
  enabled: boolean;
  secret_set: boolean;
  created_at: string;
  updated_at: string;
  secret?: string;
}

export type { PartnerStats } from '../../../src/modules/partners/pipeline/event-statuses';

export interface CatalogTemplate {
  name: string;
  kind: 'pos' | 'reservations';
  vendor: string;
  adapter: string;
  signature: { scheme: string; header: string | null };
  event_types: string[];
  docs: string[];
}

export interface PartnerLocation {
  id: string;
  location_id: string;
  venue_id: string;
  enabled: boolean;
  tables: Record<string, string>;
}

export interface MappingVersion {
  event_type: string;
  version: number;
  expression: string;
  source: 'api' | 'file';
  created_at: string;
  live?: boolean;
}

export interface Fixture {
  name: string;
  event_type: string;
  case: string;
  payload: string;
  expected: unknown;
}

/** The event statuses and the partners list's counts: the server's one list (src/modules/partners/pipeline/event-statuses.ts). */
export { INBOUND_EVENT_STATUSES as EVENT_STATUSES } from '../../../src/modules/partners/pipeline/event-statuses';
export type EventStatus = InboundEventStatus;

export interface InboundEvent {
  id: string;
  partner: string;
  event_type: string;
  status: EventStatus;
  reason: string | null;
  sale_id: string | null;
  attempts: number;
  received_at: string;
  processed_at: string | null;
}

export interface CommandOutcome {
  type: string;
  result: 'applied' | 'ignored' | 'failed';
  venue_id: string | null;
  sale: string | null;
  booking: string | null;
  match: string | null;
  unmatched_reason: string | null;
  reason: string | null;
}

export interface InboundEventDetail extends InboundEvent {
  raw_payload: string | null;
  headers: Record<string, string>;
  mapping_version: number | null;
  output: unknown;
  errors: { code?: string | null; message: string; path?: string; index?: number; position?: number | null }[];
  outcome: CommandOutcome[] | null;
}

export interface BookingView {
  id: string;
  reference: string;
  status: string;
  date: string;
  time: string;
  party_size: number;
  table: { id: string; number: string | number } | null;
  customer: { name: string } | null;
}

export interface MatchPreview {
  index: number;
  type: string;
  location_id: string | null;
  venue_id: string | null;
  result: 'applied' | 'ignored' | 'failed';
  reason: string | null;
  sale: string | null;
  booking: BookingView | null;
  match: string | null;
  unmatched_reason: string | null;
}

export interface DryRunResult {
  output: unknown[];
  errors: { index: number; path: string; message: string }[];
  matches: MatchPreview[];
  mapping_version: number | null;
  input?: 'payload' | 'event' | 'fixture';
  error?: { code: string; message: string; details: { position?: number | null; token?: unknown; limit?: string } | null };
}

export interface List<T> {
  data: T[];
  next_cursor: string | null;
}

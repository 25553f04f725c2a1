import type { BookingWriter, VenueLayoutCache } from './modules/diary';
import type { ManageLinks } from './modules/diary';
import type { LiveHub } from './modules/live';
import type { Notifications } from './modules/notifications';
import type { KeptLocations, PartnerCache } from './modules/partners';
import type { People } from './modules/people';
import type { PlatformDeps } from './platform/platform-deps';
import type { ApiKeyCache } from './surfaces/http/middleware/api-key-cache';

/**
 * What the composition root builds and hands down: the platform (PlatformDeps) and the modules' services.
 * Routers, use cases and workers take this (or the part they need); nothing below the composition root
 * constructs infrastructure.
 */
export interface AppDeps extends PlatformDeps {
  /** POST /bookings: bookings arriving together share a transaction (booking-writer.ts). */
  readonly bookingWriter: BookingWriter;
  /** Where guests' manage links point and how a new booking's token is sealed for its email: every booking creator's (PUBLIC_URL, ENCRYPTION_KEY). */
  readonly manageLinks: ManageLinks;
  /** `GET /api/v1/stream`'s clients in this process (one pub/sub connection); null in the worker role. */
  readonly liveHub: LiveHub | null;
  /** Emails (src/modules/notifications): the door other modules queue emails through, and the outbox subscriber's work. */
  readonly notifications: Notifications;
  /** The inbound worker's partner locations' venues as its last batch of reservations read them (command-handlers.ts). */
  readonly keptLocations: KeptLocations;
  /** Each venue's services and tables as the last booking read them (diary venue-layout-cache.ts): the booking writer's and the inbound worker's. */
  readonly venueLayouts: VenueLayoutCache;
  /**
   * Partners by name as the ingest edge and the inbound worker read them (edge/partner-cache.ts,
   * createPartnerCache). Here, not in PlatformDeps: the platform imports no module.
   */
  readonly partnerCache: PartnerCache;
  /** API key lookups kept briefly (surfaces/http/middleware/api-key-cache.ts, createApiKeyCache). */
  readonly apiKeyCache: ApiKeyCache;
  /** People and sessions (CONTRACT §8; surfaces/http/session-auth.ts, createPeople). */
  readonly people: People;
}

/**
 * Venue settings (CONTRACT "Venue settings"): the booking rules the widget, requests, channels and emails
 * read. A venue stores only what it changed (`venues.settings`); `venueSettings()` is the one reader, filling
 * in the defaults, and `changeVenueSettings()` the one writer (both PATCH routes call it).
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { EntityManager } from 'typeorm';
import { Venue } from '../../platform/db/entities';
import { compileSchema, parseWith } from '../../platform/validation';
import { AppError, notFound } from '../../platform/app-error';

const EMAIL_OR_NULL = { type: ['string', 'null'], format: 'email', maxLength: 320 } as const;

/** Every setting with its type; each is optional in a PATCH (nested objects are merged, then checked whole). */
const SETTINGS_PROPERTIES = {
  public_booking: { type: 'boolean', description: 'The public widget and API (§10) answer for this venue.' },
  allowed_origins: {
    type: 'array', maxItems: 50, uniqueItems: true,
    description: 'Origins allowed to POST/PATCH/DELETE the public API from a browser; empty = any.',
    items: { type: 'string', pattern: '^https?://[^/\\s]+$', maxLength: 300 },
  },
  booking_window_days: { type: 'integer', minimum: 1, maximum: 730, description: 'How far ahead guests may book.' },
  party_size: {
    type: 'object', additionalProperties: false,
    properties: { min: { type: 'integer', minimum: 1, maximum: 100 }, max: { type: 'integer', minimum: 1, maximum: 100 } },
    description: 'Party sizes guests may book online.',
  },
  max_instant_party_size: { type: 'integer', minimum: 1, maximum: 100, description: 'Larger online parties become requests (§11).' },
  cancellation_hours: { type: 'number', minimum: 0, maximum: 720, description: 'Guests may change or cancel until this many hours before the start.' },
  policies_text: { type: 'string', maxLength: 5000, description: 'Shown to guests before they book and in their emails.' },
  theme: {
    type: 'object', additionalProperties: false,
    properties: { accent: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' } },
  },
  request_hold_hours: { type: 'number', exclusiveMinimum: 0, maximum: 720, description: 'How long a request holds its table (§11).' },
  review_moderation: { type: 'boolean', description: 'New reviews wait as `pending` until the venue publishes them.' },
  reply_to: { ...EMAIL_OR_NULL, description: "Reply-To of the venue's guest emails." },
  notification_email: { ...EMAIL_OR_NULL, description: 'Where venue emails (enquiries, requests waiting) go; none while null.' },
  max_bookings_per_email_per_day: { type: 'integer', minimum: 1, maximum: 1000, description: 'Public widget bookings per guest email per venue per day.' },
} as const;

const SETTING_NAMES = Object.keys(SETTINGS_PROPERTIES) as (keyof typeof SETTINGS_PROPERTIES)[];

/** The settings as shown: every setting present. */
export const venueSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: SETTING_NAMES,
  properties: {
    ...SETTINGS_PROPERTIES,
    party_size: { ...SETTINGS_PROPERTIES.party_size, required: ['min', 'max'] },
    theme: { ...SETTINGS_PROPERTIES.theme, required: ['accent'] },
  },
} as const;
export type VenueSettings = FromSchema<typeof venueSettingsSchema>;

/** A change: any subset of the settings (`{settings: {...}}` of both PATCH routes). */
export const venueSettingsPatchSchema = {
  $id: 'VenueSettingsPatch',
  type: 'object',
  additionalProperties: false,
  properties: SETTINGS_PROPERTIES,
} as const;
export type VenueSettingsPatch = FromSchema<typeof venueSettingsPatchSchema>;

export const DEFAULT_VENUE_SETTINGS: Readonly<VenueSettings> = Object.freeze({
  public_booking: true,
  allowed_origins: [],
  booking_window_days: 90,
  party_size: { min: 1, max: 12 },
  max_instant_party_size: 8,
  cancellation_hours: 24,
  policies_text: '',
  theme: { accent: '#1f6feb' },
  request_hold_hours: 48,
  review_moderation: false,
  reply_to: null,
  notification_email: null,
  max_bookings_per_email_per_day: 3,
});

const validateWhole = compileSchema<VenueSettings>({ ...venueSettingsSchema });

/** Stored overrides over the defaults; nested objects (party_size, theme) merge field by field. */
function merge(base: VenueSettings, over: Record<string, unknown> | null | undefined): VenueSettings {
  const out: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(over ?? {})) {
    if (!(name in SETTINGS_PROPERTIES)) continue; // a setting since removed: ignored, not shown
    const current = out[name];
    out[name] = value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
      ? { ...(current as object), ...(value as object) }
      : value;
  }
  return out as VenueSettings;
}

/** THE reader: the venue's settings with every default filled in. */
export function venueSettings(venue: Pick<Venue, 'settings'>): VenueSettings {
  return merge(structuredClone(DEFAULT_VENUE_SETTINGS) as VenueSettings, venue.settings as Record<string, unknown> | null);
}

/** Reads one venue's settings from the database (for callers without the venue row at hand). */
export async function loadVenueSettings(em: EntityManager, venueId: string): Promise<VenueSettings> {
  const venue = await em.findOne(Venue, { where: { id: venueId }, select: { id: true, settings: true } });
  if (!venue) throw notFound('Venue');
  return venueSettings(venue);
}

/**
 * The overrides a venue would store after `patch` (nested objects merged), checked whole and consistent:
 * else 400 validation_error. Venue create and both PATCH routes go through here.
 */
export function settleVenueSettings(stored: Record<string, unknown> | null, patch: VenueSettingsPatch): { stored: Record<string, unknown>; settings: VenueSettings } {
  const next = merge(structuredClone(stored ?? {}) as VenueSettings, patch as Record<string, unknown>) as unknown as Record<string, unknown>;
  const settings = parseWith(validateWhole, merge(structuredClone(DEFAULT_VENUE_SETTINGS) as VenueSettings, next), 'settings');
  if (settings.party_size.min > settings.party_size.max) {
    throw new AppError('validation_error', 'Invalid settings.party_size: min must not exceed max.', {
      field: 'settings.party_size', errors: [{ field: 'settings.party_size', message: 'min must not exceed max' }],
    });
  }
  return { stored: next, settings };
}

/** THE writer: applies a change (already checked against venueSettingsPatchSchema); returns the settings in force. */
export async function changeVenueSettings(em: EntityManager, venueId: string, patch: VenueSettingsPatch, now = new Date()): Promise<VenueSettings> {
  return em.transaction(async (tx) => {
    const venue = await tx.findOne(Venue, { where: { id: venueId }, lock: { mode: 'pessimistic_write' } });
    if (!venue) throw notFound('Venue');
    const { stored, settings } = settleVenueSettings(venue.settings as Record<string, unknown> | null, patch);
    await tx.update(Venue, { id: venueId }, { settings: stored, updatedAt: now });
    return settings;
  });
}

/**
 * TEMPORARY (issue 14): the venue settings the guests feature reads, with the contract's defaults
 * ("Venue settings"), until the lead's typed settings reader lands on main; then this file goes and its
 * callers read settings through that reader. Nothing here writes settings.
 */
export interface GuestSettings {
  public_booking: boolean;
  allowed_origins: string[];
  booking_window_days: number;
  party_size: { min: number; max: number };
  max_instant_party_size: number;
  cancellation_hours: number;
  policies_text: string;
  theme: { accent: string };
  request_hold_hours: number;
  review_moderation: boolean;
  reply_to: string | null;
  notification_email: string | null;
  max_bookings_per_email_per_day: number;
}

export const GUEST_SETTINGS_DEFAULTS: Readonly<GuestSettings> = Object.freeze({
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

/** The settings stored on a venue row (JSON text, an object or null) over the defaults. */
export function guestSettingsOf(stored: unknown): GuestSettings {
  const raw = typeof stored === 'string' ? (JSON.parse(stored) as unknown) : stored;
  const s = raw && typeof raw === 'object' ? (raw as Partial<GuestSettings>) : {};
  const d = GUEST_SETTINGS_DEFAULTS;
  return {
    ...d,
    ...s,
    party_size: { ...d.party_size, ...(s.party_size ?? {}) },
    theme: { ...d.theme, ...(s.theme ?? {}) },
    allowed_origins: s.allowed_origins ?? [],
  };
}

/** The column list to select for guestSettingsOf (none yet: the defaults). */
export const SETTINGS_COLUMN_SQL = 'NULL';

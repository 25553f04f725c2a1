import type { VenueSettingsPatch } from './venue-settings';

/** What POST /admin/v1/venues asks for; validated by createVenueSchema (src/surfaces/http/schemas/venue.schema.ts). */
export interface CreateVenueBody {
  name: string;
  slug: string;
  timezone: string;
  currency: string;
  country?: string;
  plan?: 'starter' | 'business' | 'pro';
  areas: { name: string; tables: { number: number | string; min_covers: number; max_covers: number }[] }[];
  services: {
    name: string;
    days: number[];
    start: string;
    end: string;
    slot_interval_minutes: number;
    duration_minutes: number;
    max_covers_per_slot?: number | null;
    requires_approval?: boolean;
  }[];
  events?: { name: string; date: string; start: string; end: string; capacity: number }[];
  settings?: VenueSettingsPatch;
}

/** What POST /api/v1/bookings asks for; validated by createBookingSchema (src/surfaces/http/schemas/booking.schema.ts). */
export interface CreateBookingBody {
  date: string;
  time: string;
  party_size: number;
  customer_name: string;
  email?: string | null;
  phone?: string | null;
  notes?: string | null;
  service_id?: string | null;
  event_id?: string | null;
  table_id?: string | null;
  /** A booking request (CONTRACT §11): status `requested`, holding its table until `expires_at` or the venue's answer. */
  request?: boolean;
}

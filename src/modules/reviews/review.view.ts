/** The response schemas of reviews (what presentReview and presentPublicReview render; the OpenAPI document publishes them). */
import type { View } from '../../platform/json-schema';

const TIMESTAMP = { type: 'string', format: 'date-time' } as const;
const REPLY = {
  type: ['object', 'null'],
  required: ['text', 'created_at'],
  properties: { text: { type: 'string' }, created_at: TIMESTAMP },
  description: "The venue's reply, or null.",
} as const;

/** A review as the venue sees it, and the `review.posted` webhook's data. */
export const reviewSchema = {
  $id: 'Review',
  type: 'object',
  required: ['id', 'booking_id', 'rating', 'title', 'content', 'author', 'verified', 'status', 'reply', 'created_at'],
  properties: {
    id: { type: 'string', example: 'rv_0mhv2k1q3a8x4n2p7r9t1c' },
    booking_id: { type: 'string' },
    customer_id: { type: ['string', 'null'] },
    rating: { type: 'integer', minimum: 1, maximum: 5 },
    title: { type: ['string', 'null'] },
    content: { type: ['string', 'null'] },
    author: { type: 'string', description: 'First name and the surname\'s initial ("Robin H.").', example: 'Robin H.' },
    verified: { type: 'boolean', description: 'Always true: only completed bookings get an invitation.' },
    status: { type: 'string', enum: ['published', 'hidden', 'pending'] },
    reply: REPLY,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
} as const;

/** A published review as guests see it (no ids). */
export const publicReviewSchema = {
  $id: 'PublicReview',
  type: 'object',
  required: ['rating', 'title', 'content', 'author', 'verified', 'created_at', 'reply'],
  properties: {
    rating: { type: 'integer', minimum: 1, maximum: 5 },
    title: { type: ['string', 'null'] },
    content: { type: ['string', 'null'] },
    author: { type: 'string', example: 'Robin H.' },
    verified: { type: 'boolean' },
    created_at: TIMESTAMP,
    reply: REPLY,
  },
} as const;

export type ReviewView = View<typeof reviewSchema>;
export type PublicReviewView = View<typeof publicReviewSchema>;

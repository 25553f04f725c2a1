import type { FromSchema } from 'json-schema-to-ts';
import { publicReviewSchema, reviewSchema } from '../../../modules/reviews';
import { PAGINATION_QUERY_PROPERTIES } from './pagination.schema';

/** The review objects: the reviews module's views (src/modules/reviews/review.view.ts), the same objects. */
export { publicReviewSchema, reviewSchema };

export const postReviewSchema = {
  $id: 'PostReview',
  type: 'object',
  additionalProperties: false,
  required: ['rating'],
  properties: {
    rating: { type: 'integer', minimum: 1, maximum: 5 },
    title: { type: ['string', 'null'], maxLength: 200 },
    content: { type: ['string', 'null'], maxLength: 5000 },
  },
} as const;
export type PostReviewBody = FromSchema<typeof postReviewSchema>;

export const updateReviewSchema = {
  $id: 'UpdateReview',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    status: { type: 'string', enum: ['published', 'hidden'] },
    reply: { type: ['string', 'null'], maxLength: 5000, description: 'The reply text; null or "" removes it.' },
  },
} as const;
export type UpdateReviewBody = FromSchema<typeof updateReviewSchema>;

export const listReviewsQuerySchema = {
  $id: 'ListReviewsQuery',
  type: 'object',
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['published', 'hidden', 'pending'] }, ...PAGINATION_QUERY_PROPERTIES },
} as const;
export type ListReviewsQuery = FromSchema<typeof listReviewsQuerySchema>;

import { getReview, listReviews, presentReview, updateReview } from '../../modules/reviews';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import { decodeCursor, encodeCursor, listResponse } from '../http/pagination';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';
import {
  listReviewsQuerySchema, reviewSchema, updateReviewSchema, type ListReviewsQuery, type UpdateReviewBody,
} from '../http/schemas/review.schema';

/** The venue's reviews (CONTRACT §11): list, publish or hide, reply. */
export const reviewOperations = [
  defineOperation({
    id: 'listReviews', method: 'get', path: '/reviews', tag: 'Reviews', auth: 'apiKey', scope: 'customers:read',
    summary: "The venue's reviews, newest first", query: querySchema<ListReviewsQuery>(listReviewsQuerySchema),
    responses: [{ status: 200, description: 'Reviews.', schema: listEnvelopeSchema(reviewSchema) }],
    handler: ({ dataSource: { manager: em } }) => async ({ query, venue, res }) => {
      const after = query.cursor ? String(decodeCursor('reviews', query.cursor, 1)[0]) : undefined;
      const page = await listReviews(em, venue.id, { status: query.status, after, limit: query.limit ?? 50 });
      res.json(listResponse(page.rows.map(presentReview), page.nextAfter ? encodeCursor('reviews', [page.nextAfter]) : null));
    },
  }),
  defineOperation({
    id: 'getReview', method: 'get', path: '/reviews/:id', tag: 'Reviews', auth: 'apiKey', scope: 'customers:read',
    summary: 'A review', responses: [{ status: 200, description: 'The review.', schema: reviewSchema }], errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, venue, res }) => {
      res.json(presentReview(await getReview(em, venue.id, params.id)));
    },
  }),
  defineOperation({
    id: 'updateReview', method: 'patch', path: '/reviews/:id', tag: 'Reviews', auth: 'apiKey', scope: 'customers:write',
    summary: 'Publish or hide a review, and reply to it',
    description: '`reply` is the text (null or "" removes it); the review shows it as `{text, created_at}`.',
    body: bodySchema<UpdateReviewBody>(updateReviewSchema), bodyExample: { status: 'published', reply: 'Thank you, see you soon!' },
    responses: [{ status: 200, description: 'The review.', schema: reviewSchema }], errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, body, venue, res }) => {
      res.json(presentReview(await updateReview(em, venue.id, params.id, body)));
    },
  }),
];

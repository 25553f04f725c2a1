import { listReviews, postReview, presentPublicReview, publishedSummary } from '../../modules/reviews';
import { publicVenueOf } from '../http/mount-operations';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import { decodeCursor, encodeCursor } from '../http/pagination';
import { PAGE_QUERY_SCHEMA, type PaginationQuery } from '../http/schemas/pagination.schema';
import { postReviewSchema, publicReviewSchema, type PostReviewBody } from '../http/schemas/review.schema';

const pageQuery = querySchema<PaginationQuery>(PAGE_QUERY_SCHEMA);

/**
 * Guests: a venue's published reviews, and posting one with the invitation's token (CONTRACT §10, §11), on
 * the public widget surface (`/api/v1/public`: per-IP limit, CORS; `:slug` resolved to a venue taking
 * public bookings by mount-operations.ts).
 */
export const publicReviewOperations = [
  defineOperation({
    id: 'publicListReviews', method: 'get', path: '/venues/:slug/reviews', tag: 'Public widget', auth: 'guest',
    summary: "A venue's published reviews, newest first, with their average and count", query: pageQuery,
    responses: [{
      status: 200, description: 'Published reviews.',
      schema: {
        type: 'object', required: ['data', 'average', 'count', 'next_cursor'],
        properties: {
          data: { type: 'array', items: publicReviewSchema },
          average: { type: ['number', 'null'], description: 'Mean rating of the published reviews (2 decimals); null without any.' },
          count: { type: 'integer' },
          next_cursor: { type: ['string', 'null'] },
        },
      },
    }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ query, res }) => {
      const venue = publicVenueOf(res);
      const after = query.cursor ? String(decodeCursor('public-reviews', query.cursor, 1)[0]) : undefined;
      const [page, summary] = await Promise.all([
        listReviews(em, venue.id, { status: 'published', after, limit: query.limit ?? 50 }),
        publishedSummary(em, venue.id),
      ]);
      res.json({
        data: page.rows.map(presentPublicReview), average: summary.average, count: summary.count,
        next_cursor: page.nextAfter ? encodeCursor('public-reviews', [page.nextAfter]) : null,
      });
    },
  }),
  defineOperation({
    id: 'publicPostReview', method: 'post', path: '/reviews/:token', tag: 'Public widget', auth: 'guest',
    summary: 'Review a visit, with the link of the review invitation email',
    description: 'One review per booking: a second is 409 `conflict`. A wrong or expired token (invitations last 30 days) is 404.',
    body: bodySchema<PostReviewBody>(postReviewSchema), bodyExample: { rating: 5, title: 'Lovely evening', content: 'The fish was superb.' },
    responses: [{ status: 201, description: 'The review as guests see it.', schema: publicReviewSchema }],
    errors: ['not_found', 'conflict'],
    handler: ({ dataSource }) => async ({ params, body, res }) => {
      const review = await postReview(dataSource, params.token, body);
      res.status(201).json({ ...presentPublicReview(review), status: review.status });
    },
  }),
];

import {
  createChannel, grantChannel, issueChannelKey, listChannels, revokeChannelKey, withdrawChannel,
} from '../../modules/channels';
import { announceApiKeyChange } from '../http/middleware/api-key-cache';
import { bodySchema, defineOperation } from '../http/operation';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';
import {
  channelGrantResponseSchema, channelKeyResponseSchema, channelResponseSchema, createChannelKeySchema, createChannelSchema,
  grantChannelSchema, type CreateChannelBody, type CreateChannelKeyBody, type GrantChannelBody,
} from '../http/schemas/channel.schema';

const CHANNEL_EXAMPLE = { id: 'chn_0mhv2k1q3a8x4n2p7r9t1c', name: 'concierge-co', created_at: '2026-05-01T09:00:00.000Z' };

/**
 * Booking channels (CONTRACT §11): channels, their keys, and the venues' grants. A change to keys or grants
 * reaches every process at once through the key cache's announcement (as a revoked venue key does).
 */
export const channelsAdminOperations = [
  defineOperation({
    id: 'adminCreateChannel', method: 'post', path: '/channels', tag: 'Admin: channels', auth: 'admin',
    summary: 'Create a booking channel (a concierge, a corporate booker, an AI assistant)',
    body: bodySchema<CreateChannelBody>(createChannelSchema), bodyExample: { name: 'concierge-co' },
    responses: [{ status: 201, description: 'Created.', schema: channelResponseSchema, example: CHANNEL_EXAMPLE }],
    handler: ({ dataSource: { manager: em } }) => async ({ body, res }) => {
      res.status(201).json(await createChannel(em, { name: body.name }));
    },
  }),
  defineOperation({
    id: 'adminListChannels', method: 'get', path: '/channels', tag: 'Admin: channels', auth: 'admin',
    summary: 'Every booking channel',
    responses: [{ status: 200, description: 'Channels, oldest first.', schema: listEnvelopeSchema(channelResponseSchema), example: { data: [CHANNEL_EXAMPLE], next_cursor: null } }],
    handler: ({ dataSource: { manager: em } }) => async ({ res }) => {
      res.json({ data: await listChannels(em), next_cursor: null });
    },
  }),
  defineOperation({
    id: 'adminCreateChannelKey', method: 'post', path: '/channels/:id/api-keys', tag: 'Admin: channels', auth: 'admin',
    summary: "Issue a key for a channel",
    description:
      'The `key` (`ts_live_…`) is shown this once and stored only as a hash. It calls `/api/v1` at the venues that granted ' +
      'its channel, naming the venue of each call with `?venue_id=` or the `Tablesync-Venue` header.',
    body: bodySchema<CreateChannelKeyBody>(createChannelKeySchema), bodyExample: { name: 'Production' },
    responses: [{
      status: 201, description: 'Created.', schema: channelKeyResponseSchema,
      example: { id: 'chk_0mhv2k1q3a8x4n2p7r9t1c', key: 'ts_live_9cQ2mZp4fJ8kxW3vR7tY1uB6nC0aS5dE', name: 'Production' },
    }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ body, params, res }) => {
      res.status(201).json(await issueChannelKey(em, params.id, body));
    },
  }),
  defineOperation({
    id: 'adminRevokeChannelKey', method: 'delete', path: '/channels/:id/api-keys/:key_id', tag: 'Admin: channels', auth: 'admin',
    summary: "Revoke a channel's key (it stops working at once, in every process)",
    responses: [{ status: 204, description: 'Revoked.' }], errors: ['not_found'],
    handler: (deps) => async ({ params, res }) => {
      await revokeChannelKey(deps.dataSource.manager, params.id, params.key_id);
      await announceApiKeyChange(deps);
      res.status(204).end();
    },
  }),
  defineOperation({
    id: 'adminGrantChannel', method: 'put', path: '/venues/:venue_id/channels/:channel_id', tag: 'Admin: channels', auth: 'admin',
    summary: 'Let a channel in at a venue (or change what it may do)',
    description: '`can_book: false`: every booking the channel makes at this venue is a request the venue approves or declines.',
    body: bodySchema<GrantChannelBody>(grantChannelSchema), bodyExample: { can_book: true },
    responses: [{
      status: 200, description: 'The grant now in force.', schema: channelGrantResponseSchema,
      example: { venue_id: 'ven_0mhv2k1q3a8x4n2p7r9t1c', channel_id: 'chn_0mhv2k1q3a8x4n2p7r9t1c', can_book: true },
    }],
    errors: ['not_found'],
    handler: (deps) => async ({ body, params, res }) => {
      const grant = await grantChannel(deps.dataSource.manager, params.venue_id, params.channel_id, body.can_book);
      // A can_book change applies to the channel's next call in every process.
      await announceApiKeyChange(deps);
      res.json(grant);
    },
  }),
  defineOperation({
    id: 'adminWithdrawChannel', method: 'delete', path: '/venues/:venue_id/channels/:channel_id', tag: 'Admin: channels', auth: 'admin',
    summary: "Withdraw a channel's access to a venue (at once, in every process)",
    description: 'Its bookings stay in the diary; its keys can no longer reach them or the venue (403 `scope_violation`).',
    responses: [{ status: 204, description: 'Withdrawn.' }], errors: ['not_found'],
    handler: (deps) => async ({ params, res }) => {
      await withdrawChannel(deps.dataSource.manager, params.venue_id, params.channel_id);
      await announceApiKeyChange(deps);
      res.status(204).end();
    },
  }),
];

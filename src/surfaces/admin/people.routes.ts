import { presentUser } from '../../modules/people';
import { bodySchema, defineOperation } from '../http/operation';
import {
  createdUserResponseSchema, createOperatorSchema, createUserSchema, INVITE_TEXT, type CreateOperatorBody, type CreateUserBody,
} from '../http/schemas/people.schema';

/** Venue users and platform operators, created by operators (CONTRACT §8). */
export const peopleAdminOperations = [
  defineOperation({
    id: 'adminCreateVenueUser', method: 'post', path: '/venues/:venue_id/users', tag: 'Admin: people', auth: 'admin',
    summary: 'Add a person (owner, manager, host) to a venue', description: INVITE_TEXT,
    body: bodySchema<CreateUserBody>(createUserSchema), bodyExample: { email: 'robin@anchor.example', name: 'Robin Hale', role: 'owner' },
    responses: [{ status: 201, description: 'Created.', schema: createdUserResponseSchema }], errors: ['not_found', 'conflict'],
    handler: (deps) => {
      const people = deps.people;
      return async ({ body, params, res }) => {
        const { user, inviteUrl } = await people.create({ venueId: params.venue_id, ...body });
        res.status(201).json({ ...presentUser(user), ...(inviteUrl ? { invite_url: inviteUrl } : {}) });
      };
    },
  }),
  defineOperation({
    id: 'adminCreateOperator', method: 'post', path: '/operators', tag: 'Admin: people', auth: 'admin',
    summary: 'Add a platform operator or partner manager', description: `${INVITE_TEXT} Operators' sessions may use every /admin/v1 route.`,
    body: bodySchema<CreateOperatorBody>(createOperatorSchema), bodyExample: { email: 'ops@tablesync.example', name: 'Ops' },
    responses: [{ status: 201, description: 'Created.', schema: createdUserResponseSchema }], errors: ['conflict'],
    handler: (deps) => {
      const people = deps.people;
      return async ({ body, res }) => {
        const { user, inviteUrl } = await people.create({ venueId: null, role: 'operator', ...body });
        res.status(201).json({ ...presentUser(user), ...(inviteUrl ? { invite_url: inviteUrl } : {}) });
      };
    },
  }),
];

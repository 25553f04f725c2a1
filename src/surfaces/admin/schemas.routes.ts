import { BOOKING_STATUS_COMMAND_SCHEMA, RESERVATION_COMMAND_SCHEMA, SALE_COMMAND_SCHEMA } from '../../modules/commands';
import { defineOperation } from '../http/operation';

/** The body of `GET /admin/v1/schemas/commands`: each canonical command's JSON Schema, by command type. */
export const COMMAND_SCHEMAS = Object.freeze({ sale: SALE_COMMAND_SCHEMA, booking_status: BOOKING_STATUS_COMMAND_SCHEMA, reservation: RESERVATION_COMMAND_SCHEMA });

export const commandSchemasResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sale', 'booking_status', 'reservation'],
  properties: {
    sale: { type: 'object', description: 'The JSON Schema (draft-07) every `sale` command is validated with.' },
    booking_status: { type: 'object', description: 'The JSON Schema (draft-07) every `booking_status` command is validated with.' },
    reservation: { type: 'object', description: 'The JSON Schema (draft-07) every `reservation` command (a booking platform\'s reservation, CONTRACT §12) is validated with.' },
  },
} as const;

/** `/admin/v1/schemas`: what a mapping must yield (CONTRACT §5), from the schemas the pipeline validates with. */
export const schemasAdminOperations = [
  defineOperation({
    id: 'adminGetCommandSchemas', method: 'get', path: '/schemas/commands', tag: 'Admin: mappings', auth: 'admin',
    summary: 'The JSON Schemas of the canonical commands a mapping yields (also under components: SaleCommand, BookingStatusCommand, ReservationCommand)',
    responses: [{ status: 200, description: 'Each command type\'s JSON Schema.', schema: commandSchemasResponseSchema }],
    handler: () => ({ res }) => {
      res.json(COMMAND_SCHEMAS);
    },
  }),
];

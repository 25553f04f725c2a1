import { Router } from 'express';
import { BOOKING_STATUS_COMMAND_SCHEMA, SALE_COMMAND_SCHEMA } from '../../../mapping/canonical-commands';

/** The body of `GET /admin/v1/schemas/commands`: each canonical command's JSON Schema, by command type. */
export const COMMAND_SCHEMAS = Object.freeze({ sale: SALE_COMMAND_SCHEMA, booking_status: BOOKING_STATUS_COMMAND_SCHEMA });

export const commandSchemasResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sale', 'booking_status'],
  properties: {
    sale: { type: 'object', description: 'The JSON Schema (draft-07) every `sale` command is validated with.' },
    booking_status: { type: 'object', description: 'The JSON Schema (draft-07) every `booking_status` command is validated with.' },
  },
} as const;

/** `/admin/v1/schemas`: what a mapping must yield (CONTRACT §5), from the schemas the pipeline validates with. */
export function schemasAdminRouter(): Router {
  const router = Router();
  router.get('/schemas/commands', (_req, res) => {
    res.json(COMMAND_SCHEMAS);
  });
  return router;
}

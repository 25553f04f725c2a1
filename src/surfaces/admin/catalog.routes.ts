import { listTemplates, presentTemplate } from '../../modules/partners';
import { defineOperation } from '../http/operation';
import { listResponse } from '../http/pagination';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';
import { catalogTemplateSchema } from '../http/schemas/partner.schema';

/** `GET /admin/v1/catalog`: the ready partner templates (CONTRACT §13), one page. */
export const catalogAdminOperations = [
  defineOperation({
    id: 'adminListCatalog', method: 'get', path: '/catalog', tag: 'Admin: partners', auth: 'admin',
    summary: 'The partner catalog: ready templates for POS systems and booking platforms',
    responses: [{ status: 200, description: 'Every template (one page).', schema: listEnvelopeSchema(catalogTemplateSchema) }],
    handler: () => ({ res }) => {
      res.json(listResponse(listTemplates().map(presentTemplate), null));
    },
  }),
];

import { apiKeysAdminOperations } from './api-keys.routes';
import { eventsAdminOperations } from './events.routes';
import { locationsAdminOperations } from './locations.routes';
import { mappingsAdminOperations } from './mappings.routes';
import { partnersAdminOperations } from './partners.routes';
import { venuesAdminOperations } from './venues.routes';

/** `/admin/v1`: every admin operation, behind the admin token. One line per resource. */
export const adminOperations = [
  ...venuesAdminOperations,
  ...apiKeysAdminOperations,
  ...partnersAdminOperations,
  ...locationsAdminOperations,
  ...mappingsAdminOperations,
  ...eventsAdminOperations,
];

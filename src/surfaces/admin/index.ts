import { apiKeysAdminOperations } from './api-keys.routes';
import { catalogAdminOperations } from './catalog.routes';
import { channelsAdminOperations } from './channels.routes';
import { eventsAdminOperations } from './events.routes';
import { locationsAdminOperations } from './locations.routes';
import { mappingsAdminOperations } from './mappings.routes';
import { partnersAdminOperations } from './partners.routes';
import { peopleAdminOperations } from './people.routes';
import { schemasAdminOperations } from './schemas.routes';
import { venuesAdminOperations } from './venues.routes';

/** `/admin/v1`: every admin operation, behind the admin token or an operator's session. One line per resource. */
export const adminOperations = [
  ...venuesAdminOperations,
  ...apiKeysAdminOperations,
  ...partnersAdminOperations,
  ...catalogAdminOperations,
  ...locationsAdminOperations,
  ...mappingsAdminOperations,
  ...schemasAdminOperations,
  ...eventsAdminOperations,
  ...peopleAdminOperations,
  ...channelsAdminOperations,
];

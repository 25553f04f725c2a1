/**
 * The customers module's door: what other modules, the surfaces and the composition root use of it. Nothing
 * outside src/modules/customers/ imports its other files (eslint layout/boundaries).
 */
export { findCustomer, presentCustomers } from './customer-stats';
export { customerSchema, type CustomerView } from './customer.view';
export { customerSearchQuery } from './search-customers';
export { type Contact, customerMatchManyStatement, customerMatchStatements, newCustomer, normalizeContact, normalizePhone, upsertCustomer } from './upsert-customer';

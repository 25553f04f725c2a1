/**
 * The api-keys module's door: what other modules, the surfaces and the composition root use of it. Nothing
 * outside src/modules/api-keys/ imports its other files (eslint layout/boundaries).
 */
export { hashApiKey, issueApiKey, listApiKeys, revokeApiKey } from './api-keys';

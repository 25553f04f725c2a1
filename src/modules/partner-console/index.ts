/**
 * The partner console's use cases (CONTRACT §13) that are not the hub's own: the mapping editor's dry run
 * (with the matcher's read-only preview) and a partner's fixtures. The door of the module: routes call these.
 */
export { dryRunMapping, type DryRunInput, type DryRunResult } from './dry-run';
export { partnerFixtures, type PartnerFixture } from './fixtures';

/**
 * The partners module's door: what other modules, the surfaces and the composition root use of it. Nothing
 * outside src/modules/partners/ imports its other files (eslint layout/boundaries).
 */
export { createPartnerFromTemplate, listTemplates, presentTemplate } from './catalog';
export {
  ACK, ADAPTER, catalogTemplateSchema, type CatalogTemplateView, CONFLICT, EVENT_STATUS, HEADER, inboundEventDetailSchema, type InboundEventDetailView,
  inboundEventSchema, type InboundEventView, locationSchema, type LocationView, mappingVersionSchema, type MappingView, PARTNER_NAME,
  PARTNER_TIMESTAMP, partnerCreatedSchema, type PartnerCreatedView, partnerSchema, type PartnerView, SCHEME, TABLE_ALIASES,
} from './partner-views';
export { KeptLocations } from './commands/command-handlers';
export { announcePartnerChange, createPartnerCache, type PartnerCache } from './edge/partner-cache';
export { ingestContext, receivePartnerEvent } from './edge/receive-partner-event';
export { linkLocation, listLocations, presentLocation } from './locations';
export { configureMappings } from './mapping/evaluate-mapping';
export { asCommandList, DEFAULT_MAPPINGS_DIR, discoverFixtureCases } from './mapping/fixture-runner';
export { mapNativeEvent } from './mapping/map-native-event';
export { activateMapping, compiledMapping, type LiveMapping, liveMappingFor, liveMappings, mappingVersions, pickMapping, presentMapping, putMapping, syncFileMappings } from './mapping/mapping-store';
export { createPartner, presentPartner, presentPartnerWithSecret, requirePartner, updatePartner } from './partners';
export { getEventDetail, listEvents } from './pipeline/event-log';
export { partnerStats, STATS_WINDOW_MS } from './pipeline/event-stats';
export { INBOUND_EVENT_STATUSES } from './pipeline/event-statuses';
export { type EventFilter, storedInput as storedEventInput } from './pipeline/inbound-event-store';
export { INBOUND_APPLY_SESSIONS } from './pipeline/inbound-applier';
export { createInboundEventWorker } from './pipeline/inbound-event.worker';
export { countReplay, replayEvent, replayMatching } from './pipeline/replay-events';
export { startStrandedEventSweep } from './pipeline/stranded-events';

/**
 * The live stream (CONTRACT §9 `GET /api/v1/stream`, §15 "§9 stream"): the door of the module. The outbox
 * relay (worker role) publishes every outbox event with publishLiveEvents; each API process serves its
 * clients through one LiveHub (made by the composition root); the route is declared in
 * src/surfaces/integrator-api/stream.routes.ts.
 */
export { LiveHub, LIVE_RETRY_MS, type LiveHubOptions } from './live-hub';
export { publishLiveEvents, type LiveEvent } from './publish';
export { LIVE_REPLAY_MS, liveChannel, liveStreamKey } from './stream-ids';

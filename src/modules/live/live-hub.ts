import type { ServerResponse } from 'node:http';
import { AppError } from '../../platform/app-error';
import type { Logger } from '../../platform/logger';
import type { RedisClient } from '../../platform/redis-connections';
import { entriesAfter, streamTop } from './publish';
import { compareStreamIds, LIVE_REPLAY_MS, liveChannel, parseStreamId } from './stream-ids';

/**
 * The live stream's clients in one API process (`GET /api/v1/stream`, CONTRACT §9).
 *
 * One pub/sub connection per process, whatever the number of clients, subscribed to the one channel the
 * outbox relay's `live` subscriber publishes to (publish.ts); each message goes to that venue's clients
 * only. A client registers before anything is read, so what is published while its replay is being read
 * and written is held and sent after it, in order; an id already sent is never sent again. A reconnect
 * (`Last-Event-ID`) is served from the venue's replay buffer; a new stream starts with an `id:` line
 * naming the buffer's newest entry, so even a client that saw no event reconnects from where it was. When
 * the subscription drops (Redis restarted, a cluster failover), every client is caught up from the
 * buffer once it is back, so a gap in pub/sub loses nothing either.
 *
 * Heartbeats are comment lines on one timer for all clients; a client that stops reading (its unsent
 * output passes `maxBufferedBytes`) is dropped, and replays when it reconnects. close() (SIGTERM) ends
 * every stream, so the server can close and the browsers reconnect to another process.
 */

export interface LiveHubOptions {
  /** Makes the process's one pub/sub connection (through RedisConnections), on the first stream. */
  subscriber: () => RedisClient;
  /** The commands connection: replay reads. */
  redis: RedisClient;
  keyPrefix: string;
  logger: Logger;
  /** Comment lines that keep proxies from closing an idle stream. @defaultValue 15 000 */
  heartbeatMs?: number;
  /** @defaultValue 1 MiB */
  maxBufferedBytes?: number;
}

/** The reconnect delay a browser's EventSource uses (`retry:`), in ms. */
export const LIVE_RETRY_MS = 2000;
const REPLAY_PAGE = 500;

interface Client {
  venueId: string;
  res: ServerResponse;
  /** The last id this client has (sent, or the one it came back with). */
  lastId: string;
  /** Live messages arriving while its replay is written; null once it is live. */
  held: { id: string; text: string }[] | null;
  closed: boolean;
}

const frame = (id: string, event: string, body: string): string => `id: ${id}\nevent: ${event}\ndata: ${body}\n\n`;

export class LiveHub {
  private readonly clients = new Map<string, Set<Client>>();
  private readonly channel: string;
  private readonly heartbeatMs: number;
  private readonly maxBuffered: number;
  private subscriber: RedisClient | null = null;
  private subscribed: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private down = false;
  private closing = false;
  private count = 0;

  constructor(private readonly options: LiveHubOptions) {
    this.channel = liveChannel(options.keyPrefix);
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  }

  /** Open streams in this process. */
  get size(): number {
    return this.count;
  }

  /**
   * Serves one stream until the client goes (or close()). Throws AppError `unavailable` (503) before
   * anything is sent when Redis cannot be reached; afterwards a failure ends the stream (the client
   * reconnects with its Last-Event-ID).
   */
  async open(res: ServerResponse, venueId: string, lastEventId: string | null): Promise<void> {
    if (this.closing) throw new AppError('unavailable', 'This process is shutting down; reconnect.', null, { 'Retry-After': '1' });
    const client: Client = { venueId, res, lastId: '0-0', held: [], closed: false };
    this.add(client);
    res.once('close', () => this.remove(client));
    let top: { top: string; nowMs: number };
    try {
      await this.subscribe();
      top = await streamTop(this.options.redis, this.options.keyPrefix, venueId);
    } catch (err) {
      this.remove(client);
      this.options.logger.warn({ err: (err as Error).message }, 'live stream could not start');
      throw new AppError('unavailable', 'The live stream is unavailable; retry shortly.', null, { 'Retry-After': '2' });
    }
    if (client.closed) return;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx and similar proxies would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.write(`: connected\nretry: ${LIVE_RETRY_MS}\n\n`);

    const resumable = lastEventId !== null && this.resumable(lastEventId, top);
    if (resumable) {
      client.lastId = lastEventId;
      await this.catchUp(client);
      return;
    }
    if (lastEventId !== null) {
      // Older than the replay window, or not an id of this stream: what was missed cannot be told.
      res.write(`event: reset\ndata: ${JSON.stringify({ reason: 'Last-Event-ID is outside the replay window; reload and listen again.' })}\n\n`);
    }
    // An id line alone dispatches nothing, but it is the EventSource's Last-Event-ID from now on.
    client.lastId = top.top;
    res.write(`id: ${top.top}\n\n`);
    this.release(client);
  }

  /** Ends every stream and the subscription (SIGTERM). */
  async close(): Promise<void> {
    this.closing = true;
    for (const set of this.clients.values()) for (const client of set) this.end(client);
    this.clients.clear();
    this.count = 0;
    this.stopHeartbeat();
    const sub = this.subscriber;
    this.subscriber = null;
    this.subscribed = null;
    sub?.disconnect();
  }

  /** Within the window, and no later than the buffer's newest entry (or Redis' clock while it is empty). */
  private resumable(id: string, top: { top: string; nowMs: number }): boolean {
    const parsed = parseStreamId(id);
    if (!parsed) return false;
    if (Number(parsed[0]) < top.nowMs - LIVE_REPLAY_MS) return false;
    const newest = compareStreamIds(top.top, `${top.nowMs}-0`) > 0 ? top.top : `${top.nowMs}-0`;
    return compareStreamIds(id, newest) <= 0;
  }

  private add(client: Client): void {
    let set = this.clients.get(client.venueId);
    if (!set) this.clients.set(client.venueId, (set = new Set()));
    set.add(client);
    this.count += 1;
    this.startHeartbeat();
  }

  private remove(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    const set = this.clients.get(client.venueId);
    if (set?.delete(client)) {
      this.count -= 1;
      if (!set.size) this.clients.delete(client.venueId);
    }
    if (this.count === 0) this.stopHeartbeat();
  }

  private end(client: Client): void {
    this.remove(client);
    if (!client.res.writableEnded) client.res.end();
  }

  /** Writes a frame unless the client has that id already; drops a client that stopped reading. */
  private write(client: Client, id: string, text: string): void {
    if (client.closed || compareStreamIds(id, client.lastId) <= 0) return;
    client.res.write(text);
    client.lastId = id;
    if (client.res.writableLength > this.maxBuffered) {
      this.options.logger.warn({ venue_id: client.venueId, buffered: client.res.writableLength }, 'live client not reading; stream ended');
      this.end(client);
    }
  }

  /** Sends what was held during a replay, then the client is live. */
  private release(client: Client): void {
    const held = client.held ?? [];
    client.held = null;
    for (const h of held) this.write(client, h.id, h.text);
  }

  /** Everything after the client's last id from the buffer, then what was held meanwhile. */
  private async catchUp(client: Client): Promise<void> {
    client.held ??= [];
    try {
      for (;;) {
        const page = await entriesAfter(this.options.redis, this.options.keyPrefix, client.venueId, client.lastId, REPLAY_PAGE);
        for (const [id, event, body] of page) {
          if (client.closed) return;
          this.write(client, id, frame(id, event, body));
          // A long replay waits for the client to read instead of piling up in memory.
          if (client.res.writableLength > this.maxBuffered / 2) {
            await new Promise((resolve) => {
              client.res.once('drain', resolve);
              client.res.once('close', resolve);
            });
          }
        }
        if (page.length < REPLAY_PAGE) break;
      }
      this.release(client);
    } catch (err) {
      this.options.logger.warn({ err: (err as Error).message, venue_id: client.venueId }, 'live replay failed; stream ended');
      this.end(client);
    }
  }

  private subscribe(): Promise<void> {
    if (this.subscribed) return this.subscribed;
    const sub = (this.subscriber ??= this.connect());
    this.subscribed = sub.subscribe(this.channel).then(() => undefined);
    this.subscribed.catch(() => {
      this.subscribed = null;
    });
    return this.subscribed;
  }

  private connect(): RedisClient {
    const sub = this.options.subscriber();
    let lastError = 0;
    sub.on('error', (err: Error) => {
      if (Date.now() - lastError > 10_000) {
        lastError = Date.now();
        this.options.logger.error({ err: err.message }, 'live stream subscriber error');
      }
    });
    const lost = () => {
      if (this.subscribed) this.down = true;
    };
    sub.on('close', lost);
    sub.on('reconnecting', lost);
    sub.on('ready', () => {
      if (!this.down || this.closing) return;
      this.down = false;
      // Subscribed again (ioredis resubscribes; asking once more is harmless), then fill the gap from the buffer.
      sub.subscribe(this.channel).then(
        () => {
          for (const set of this.clients.values()) for (const client of set) if (client.held === null) void this.catchUp(client);
        },
        (err: Error) => this.options.logger.error({ err: err.message }, 'live stream resubscription failed'),
      );
    });
    sub.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.deliver(message);
    });
    return sub;
  }

  /** A published event: `venue \n id \n event \n body`, to that venue's clients. */
  private deliver(message: string): void {
    const a = message.indexOf('\n');
    const venueId = message.slice(0, a);
    const set = this.clients.get(venueId);
    if (!set) return;
    const b = message.indexOf('\n', a + 1);
    const c = message.indexOf('\n', b + 1);
    const id = message.slice(a + 1, b);
    const text = frame(id, message.slice(b + 1, c), message.slice(c + 1));
    for (const client of set) {
      if (client.held) client.held.push({ id, text });
      else this.write(client, id, text);
    }
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const set of this.clients.values()) for (const client of set) if (!client.closed) client.res.write(': keep-alive\n\n');
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}

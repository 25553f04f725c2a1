import { request, type IncomingHttpHeaders } from 'node:http';
import { waitFor } from './wait-for';

/** One Server-Sent Event as a browser's EventSource reads it (a block with `data`), or an `id:`-only block. */
export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
}

/** A real HTTP client of `GET /api/v1/stream`, parsing the text/event-stream as it arrives. */
export interface SseClient {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every block with data (what an EventSource dispatches). */
  events: SseEvent[];
  /** Every block, `id:`-only ones too. */
  blocks: SseEvent[];
  comments: string[];
  /** The Last-Event-ID an EventSource would reconnect with. */
  lastEventId: string | null;
  /** The body of a refused request (an error envelope). */
  body: string;
  ended: boolean;
  /** The parsed §7 bodies of the events named `event` (all events when omitted). */
  bodies(event?: string): any[];
  waitForEvents(n: number, event?: string, timeoutMs?: number): Promise<any[]>;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      const client: SseClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        blocks: [],
        comments: [],
        lastEventId: null,
        body: '',
        ended: false,
        bodies(event) {
          return client.events.filter((e) => event === undefined || e.event === event).map((e) => JSON.parse(e.data!));
        },
        async waitForEvents(n, event, timeoutMs = 10_000) {
          await waitFor(async () => client.bodies(event).length >= n, { timeoutMs, what: `${n} ${event ?? 'events'} on the stream` });
          return client.bodies(event);
        },
        close() {
          req.destroy();
        },
      };
      res.on('data', (chunk: string) => {
        if (client.status !== 200) {
          client.body += chunk;
          return;
        }
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const ev: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments.push(line.slice(1).trim());
            const colon = line.indexOf(':');
            if (colon <= 0) continue;
            const field = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') ev.id = value;
            else if (field === 'event') ev.event = value;
            else if (field === 'data') ev.data = ev.data === undefined ? value : `${ev.data}\n${value}`;
            else if (field === 'retry') ev.retry = Number(value);
          }
          if (ev.id !== undefined) client.lastEventId = ev.id;
          if (Object.keys(ev).length) client.blocks.push(ev);
          if (ev.data !== undefined) client.events.push(ev);
        }
      });
      res.on('end', () => (client.ended = true));
      res.on('close', () => (client.ended = true));
      resolve(client);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A refused stream's answer: status and parsed error envelope, once the body is in. */
export async function refusedStream(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const client = await openSse(url, headers);
  await waitFor(async () => client.ended, { what: 'the refused stream to end' });
  return { status: client.status, body: JSON.parse(client.body) };
}

import { useEffect, useRef, useState } from 'preact/hooks';
import { hasRoute } from './capabilities';

/**
 * The venue's live stream (`GET /api/v1/stream`, CONTRACT §9): Server-Sent Events whose `data` is the §7
 * webhook body `{id, event, created_at, data}`. The browser's EventSource reconnects by itself and sends
 * `Last-Event-ID`, so the server replays what was missed. When the stream closes for good (the server
 * answered without SSE, e.g. while signed out or during a deploy) it is opened again after a pause and the
 * page is told to reload its data (`onResync`), since nothing was replayed for the gap.
 *
 * A `reset` event (the server cannot replay from the Last-Event-ID given) also reloads. Delivery is at least
 * once: the page keeps the newer `version` of each resource, so a repeated event changes nothing.
 *
 * On a server without the stream the page polls instead (`onResync` every POLL_MS) and says so.
 */

export interface LiveEvent {
  id: string;
  event: string;
  created_at: string;
  data: Record<string, unknown>;
}

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'polling';

export const STREAM_EVENTS = [
  'booking.created', 'booking.updated', 'booking.cancelled', 'booking.requested', 'booking.approved', 'booking.declined',
  'booking.expired', 'sale.recorded', 'sale.matched',
] as const;

const POLL_MS = 30_000;
const REOPEN_MS = 5_000;

export function useLiveStream(onEvent: (e: LiveEvent) => void, onResync: () => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handlers = useRef({ onEvent, onResync });
  handlers.current = { onEvent, onResync };

  useEffect(() => {
    let closed = false;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    let everOpen = false;
    let reopened = false;

    const deliver = (msg: MessageEvent<string>) => {
      let body: LiveEvent;
      try {
        body = JSON.parse(msg.data) as LiveEvent;
      } catch {
        return; // a comment or keep-alive the server may send
      }
      if (body && typeof body.event === 'string' && body.data) handlers.current.onEvent(body);
    };

    const open = () => {
      if (closed) return;
      source = new EventSource('/api/v1/stream', { withCredentials: true });
      source.onopen = () => {
        setState('live');
        // Opened again after closing for good: the gap was not replayed, so reload.
        if (everOpen && reopened) handlers.current.onResync();
        everOpen = true;
        reopened = false;
      };
      source.onerror = () => {
        if (!source) return;
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          setState('reconnecting');
          reopened = true;
          timer = setTimeout(open, REOPEN_MS);
        } else {
          setState('reconnecting'); // the browser retries with Last-Event-ID
        }
      };
      // Named events (`event: booking.created`) and unnamed ones (`message`) alike.
      source.onmessage = deliver;
      for (const name of STREAM_EVENTS) source.addEventListener(name, deliver as EventListener);
      // The server could not replay from our Last-Event-ID (outside its window): reload the day.
      source.addEventListener('reset', () => handlers.current.onResync());
    };

    hasRoute('get', '/api/v1/stream').then((has) => {
      if (closed) return;
      if (has) open();
      else {
        setState('polling');
        poll = setInterval(() => handlers.current.onResync(), POLL_MS);
      }
    });

    return () => {
      closed = true;
      source?.close();
      clearTimeout(timer);
      clearInterval(poll);
    };
  }, []);

  return state;
}

export function LiveIndicator({ state }: { state: LiveState }) {
  const text = {
    connecting: 'Connecting…',
    live: 'Live',
    reconnecting: 'Reconnecting…',
    polling: 'Refreshes every 30 s',
  }[state];
  const title = {
    connecting: 'Opening the live connection.',
    live: 'Changes by anyone appear here within seconds.',
    reconnecting: 'The live connection dropped; it comes back by itself and catches up on what was missed.',
    polling: 'This server has no live stream yet: the diary reloads every 30 seconds.',
  }[state];
  return (
    <span class={`live live-${state}`} role="status" title={title} aria-label={`${text}. ${title}`}>
      <span class="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

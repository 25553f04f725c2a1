import type { EventStatus } from './admin-api';

const KIND: Record<EventStatus, string> = { queued: 'warn', processing: 'warn', processed: 'ok', ignored: '', failed: 'bad' };

export function StatusBadge({ status }: { status: EventStatus }) {
  return <span class={`badge status ${KIND[status]}`}>{status}</span>;
}

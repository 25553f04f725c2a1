import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, errorText, type Email, type EmailDetail, type List } from '../api';
import { formatInstant } from '../format';
import { useSession } from '../session';
import { useCursorList } from '../use-cursor-list';

/** What each kind of email is, as a venue reads it (CONTRACT §15 §10.3 kinds). */
const KIND_LABELS: Record<string, string> = {
  booking_confirmed: 'Booking confirmed',
  booking_moved: 'Booking moved',
  booking_cancelled: 'Booking cancelled',
  request_received: 'Request received',
  request_approved: 'Request approved',
  request_declined: 'Request declined',
  request_expired: 'Request lapsed',
  review_invitation: 'Review invitation',
  enquiry_received: 'New enquiry (to you)',
  request_waiting: 'Request waiting (to you)',
};

const STATUS_BADGE: Record<string, string> = { sent: 'ok', failed: 'warn', kept: '', queued: '' };

/**
 * Settings → Emails: the venue's guest and venue emails, newest first, from `GET /api/v1/emails` (scope
 * customers:read), times in the venue's time zone. Kept emails (no SMTP server configured) show here with
 * their text, so nothing a guest would have been told is invisible.
 */
export function EmailsSection() {
  const { venue } = useSession();
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const list = useCursorList((cursor) => {
    const q = new URLSearchParams({ limit: '50' });
    if (status) q.set('status', status);
    if (cursor) q.set('cursor', cursor);
    return api<List<Email>>('GET', `/emails?${q.toString()}`);
  }, [status], 'Could not load the emails.');
  const rows = list.items;

  const filter = (next: string) => {
    setStatus(next);
    setOpen(null);
  };

  return (
    <div class="settings-section">
      <h2>Emails</h2>
      <p class="muted">What Tablesync has emailed your guests and you: confirmations, changes, requests, review invitations and enquiries. Emails marked <em>kept</em> were not sent because no mail server is set up; their text is here.</p>
      <div class="card filters">
        <div>
          <label for="email-status">Status</label>
          <select id="email-status" value={status} onChange={(e) => filter((e.target as HTMLSelectElement).value)}>
            <option value="">All</option>
            <option value="sent">Sent</option>
            <option value="queued">Waiting to send</option>
            <option value="kept">Kept (not sent)</option>
            <option value="failed">Failed</option>
          </select>
        </div>
      </div>
      {list.error && <p class="error" role="alert">{list.error} <button type="button" class="quiet" onClick={list.reload}>Try again</button></p>}
      {list.loading && <p role="status">Loading emails…</p>}
      {list.empty && (
        <p class="card notice empty">{status ? `No ${status} emails.` : 'No emails yet: they are written as guests book, change and cancel.'}</p>
      )}
      {rows && rows.length > 0 && (
        <table class="booking-table compact" aria-label="Emails">
          <thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">To</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col"><span class="visually-hidden">Text</span></th></tr></thead>
          <tbody>
            {rows.map((e) => (
              <Fragment key={e.id}>
                <tr>
                  <td data-label="When">{formatInstant(e.created_at, venue)}</td>
                  <td data-label="Kind" title={e.subject}>{KIND_LABELS[e.kind] ?? e.kind}</td>
                  <td data-label="To" class="wrap">{e.to}</td>
                  <td data-label="Status">
                    <span class={`badge ${STATUS_BADGE[e.status] ?? ''}`}>{e.status}</span>
                    {e.status === 'sent' && e.sent_at && <span class="muted small"> {formatInstant(e.sent_at, venue)}</span>}
                    {e.status === 'failed' && e.last_error && <span class="muted small"> {e.last_error}</span>}
                  </td>
                  <td data-label="Attempts" class="num">{e.attempts}</td>
                  <td data-label="Text">
                    <button type="button" class="quiet" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)} aria-label={`Show the email to ${e.to}: ${e.subject}`}>
                      {open === e.id ? 'Hide' : 'Show'}
                    </button>
                  </td>
                </tr>
                {open === e.id && <tr><td colSpan={6}><EmailText id={e.id} /></td></tr>}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {list.hasMore && <button type="button" class="quiet" disabled={list.loadingMore} onClick={() => void list.loadMore()}>{list.loadingMore ? 'Loading…' : 'Show older emails'}</button>}
    </div>
  );
}

function EmailText({ id }: { id: string }) {
  const [detail, setDetail] = useState<EmailDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<EmailDetail>('GET', `/emails/${id}`).then(setDetail, (err: unknown) => setError(errorText(err, 'Could not load the email.')));
  }, [id]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!detail) return <p role="status">Loading…</p>;
  return (
    <div class="email-text">
      <p><strong>{detail.subject}</strong></p>
      <pre class="wrap small">{detail.text}</pre>
    </div>
  );
}

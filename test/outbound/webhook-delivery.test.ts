import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';
import {
  bearer, createOwnDatabase, deliveriesOf, deliveryOf, registerWebhook, startReceiver, writeEvent, type Receiver,
} from './outbound-helpers';

/** What an integrator writes from the docs: hex HMAC-SHA256 of the raw body with the secret, constant-time compare. */
function verifyTablesync(rawBody: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

describe('outbound webhooks: delivery (schedule base 100 ms ×2, 4 attempts)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let t: TestApp;
  let venueId: string;
  let key: string;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  const ds = () => t.composed.deps.dataSource;

  beforeAll(async () => {
    db = await createOwnDatabase();
    t = await startTestApp({ DATABASE_URL: db.url });
    venueId = (await createVenue(t)).id;
    key = await createApiKey(t, venueId);
  });
  afterAll(async () => {
    await t.stop();
    await Promise.all(receivers.map((r) => r.close()));
    await db.drop();
  });

  it('delivers a committed outbox event with the contract body and headers, signed over the exact bytes', async () => {
    const r = await receiver();
    const wh = await registerWebhook(t, key, r.url, ['booking.created']);
    const messageId = await writeEvent(ds(), venueId, 'booking.created', { party_size: 4 }, 3);

    const req = await waitFor(async () => r.requests[0], { what: 'the delivery' });
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hooks');
    const body = JSON.parse(req.body);
    const outbox = (await ds().query('SELECT created_at FROM outbox WHERE message_id = ?', [messageId])) as { created_at: Date }[];
    expect(body).toEqual({
      id: messageId,
      event: 'booking.created',
      created_at: outbox[0]!.created_at.toISOString(),
      data: expect.objectContaining({ party_size: 4, version: 3, notes: 'window seat, café ☕' }),
    });
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-tablesync-event']).toBe('booking.created');
    expect(req.headers['x-tablesync-delivery']).toBe(messageId);
    const ts = Number(req.headers['x-tablesync-timestamp']);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(60);

    // The seed-style verifier: hex HMAC of the raw body with the secret.
    expect(verifyTablesync(req.body, String(req.headers['x-tablesync-signature']), wh.secret)).toBe(true);
    expect(verifyTablesync(req.body + ' ', String(req.headers['x-tablesync-signature']), wh.secret)).toBe(false);
    // The Standard Webhooks reference verifier, unchanged.
    const verified = new StandardWebhook(wh.secret).verify(req.body, req.headers as Record<string, string>);
    expect(verified).toEqual(body);
    expect(() => new StandardWebhook(wh.secret).verify(req.body.replace('4', '5'), req.headers as Record<string, string>)).toThrow();

    const delivery = await waitFor(async () => {
      const row = await deliveryOf(ds(), messageId, wh.id);
      return row?.status === 'succeeded' ? row : null;
    }, { what: 'succeeded delivery' });
    expect(delivery).toMatchObject({ webhook_id: wh.id, attempts: 1, last_status_code: 200, next_attempt_at: null });
    // The relay queues the delivery before its own pass commits relayed_at (relay.ts), so a fast delivery
    // can finish first: the row is marked relayed soon after, not necessarily before.
    const relayedAt = await waitFor(async () => {
      const rows = (await ds().query('SELECT relayed_at FROM outbox WHERE message_id = ?', [messageId])) as { relayed_at: Date | null }[];
      return rows[0]?.relayed_at ?? null;
    }, { what: 'the outbox row marked relayed' });
    expect(relayedAt).toBeInstanceOf(Date);
  });

  it('retries a receiver that fails twice; the event arrives on the third attempt with every attempt logged', async () => {
    const r = await receiver((_req, n) => (n <= 2 ? { status: 500, body: `boom ${n}` } : { status: 204 }));
    const wh = await registerWebhook(t, key, r.url);
    const messageId = await writeEvent(ds(), venueId, 'booking.updated');

    await waitFor(async () => (await deliveryOf(ds(), messageId, wh.id))?.status === 'succeeded', { what: 'third attempt' });
    expect(r.requests).toHaveLength(3);
    // Same message, same bytes every time; only the signing time may differ.
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);
    expect(new Set(r.requests.map((q) => q.headers['webhook-id'])).size).toBe(1);
    for (const q of r.requests) expect(verifyTablesync(q.body, String(q.headers['x-tablesync-signature']), wh.secret)).toBe(true);
    // Exponential: the second gap (200 ms nominal) is not shorter than the first (100 ms).
    const gap1 = r.requests[1]!.at - r.requests[0]!.at;
    const gap2 = r.requests[2]!.at - r.requests[1]!.at;
    expect(gap1).toBeGreaterThanOrEqual(90);
    expect(gap2).toBeGreaterThanOrEqual(190);

    const res = await t.http.get(`/api/v1/webhooks/${wh.id}/deliveries`).set(bearer(key));
    expect(res.status).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.data).toHaveLength(1);
    const d = res.body.data[0];
    expect(d).toMatchObject({ message_id: messageId, event: 'booking.updated', status: 'succeeded', attempts: 3, last_status_code: 204, last_error: null });
    expect(d.attempt_log.map((a: { attempt: number; status_code: number }) => [a.attempt, a.status_code])).toEqual([[1, 500], [2, 500], [3, 204]]);
    expect(d.attempt_log[0]).toMatchObject({ response_body: 'boom 1', error: 'HTTP 500', duration_ms: expect.any(Number) });
  });

  it('marks the delivery failed after the last attempt, with the last status and error', async () => {
    const r = await receiver(() => ({ status: 503, body: 'x'.repeat(5000) }));
    const wh = await registerWebhook(t, key, r.url);
    const messageId = await writeEvent(ds(), venueId, 'customer.created');
    const d = await waitFor(async () => {
      const row = await deliveryOf(ds(), messageId, wh.id);
      return row?.status === 'failed' ? row : null;
    }, { what: 'failed delivery' });
    expect(d).toMatchObject({ attempts: 4, last_status_code: 503, last_error: 'HTTP 503', next_attempt_at: null });
    expect(r.requests).toHaveLength(4);
    const res = await t.http.get(`/api/v1/webhooks/${wh.id}/deliveries?status=failed`).set(bearer(key));
    expect(res.body.data[0].attempt_log).toHaveLength(4);
    // Response bodies are truncated for the log.
    expect(res.body.data[0].attempt_log[0].response_body).toHaveLength(2048);
    // The endpoint's failure clock is running (it has not failed long enough to be disabled).
    const hook = await t.http.get(`/api/v1/webhooks/${wh.id}`).set(bearer(key));
    expect(hook.body).toMatchObject({ enabled: true, failing_since: expect.any(String) });
  });

  it('sends only the subscribed events of its own venue, and nothing for events from before it existed', async () => {
    const r = await receiver();
    const early = await writeEvent(ds(), venueId, 'sale.recorded');
    await waitFor(async () => {
      const rows = (await ds().query('SELECT relayed_at FROM outbox WHERE message_id = ?', [early])) as { relayed_at: Date | null }[];
      return rows[0]?.relayed_at;
    }, { what: 'early event relayed' });
    const wh = await registerWebhook(t, key, r.url, ['sale.recorded']);
    const otherVenue = (await createVenue(t)).id;
    await writeEvent(ds(), otherVenue, 'sale.recorded');
    await writeEvent(ds(), venueId, 'booking.created');
    const wanted = await writeEvent(ds(), venueId, 'sale.recorded');
    await waitFor(async () => r.requests.length >= 1, { what: 'the subscribed event' });
    // Everything written before `wanted` has been relayed too (id order), so no other request is coming.
    await waitFor(async () => (await deliveryOf(ds(), wanted, wh.id))?.status === 'succeeded');
    expect(r.requests.map((q) => JSON.parse(q.body).id)).toEqual([wanted]);
    const rows = (await ds().query('SELECT message_id FROM webhook_deliveries WHERE webhook_id = ?', [wh.id])) as { message_id: string }[];
    expect(rows.map((x) => x.message_id)).toEqual([wanted]);
  });

  it('disables an endpoint that has failed continuously for 3 days, visible as disabled_reason', async () => {
    const r = await receiver(() => ({ status: 500 }));
    const wh = await registerWebhook(t, key, r.url);
    // The endpoint's failure clock started 4 days ago (no success since).
    await ds().query('UPDATE webhooks SET failing_since = ? WHERE id = ?', [new Date(Date.now() - 4 * 24 * 3600 * 1000), wh.id]);
    const messageId = await writeEvent(ds(), venueId, 'booking.created');
    const hook = await waitFor(async () => {
      const res = await t.http.get(`/api/v1/webhooks/${wh.id}`).set(bearer(key));
      return res.body.enabled === false ? res.body : null;
    }, { what: 'the webhook to be disabled' });
    expect(hook.disabled_reason).toMatch(/failed since/);
    const d = await waitFor(async () => {
      const row = await deliveryOf(ds(), messageId, wh.id);
      return row?.status === 'failed' ? row : null;
    });
    expect(d.last_error).toMatch(/^Webhook disabled/);
    expect(r.requests).toHaveLength(1);

    // A disabled endpoint gets no new deliveries; re-enabling resets the failure clock.
    const skipped = await writeEvent(ds(), venueId, 'booking.created');
    await waitFor(async () => {
      const rows = (await ds().query('SELECT relayed_at FROM outbox WHERE message_id = ?', [skipped])) as { relayed_at: Date | null }[];
      return rows[0]?.relayed_at;
    });
    expect((await deliveriesOf(ds(), skipped)).filter((x) => x.webhook_id === wh.id)).toEqual([]);
    const on = await t.http.patch(`/api/v1/webhooks/${wh.id}`).set(bearer(key)).send({ enabled: true });
    expect(on.body).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
  });

  it('resets the failure clock on a success', async () => {
    const r = await receiver((_req, n) => (n === 1 ? { status: 500 } : { status: 200 }));
    const wh = await registerWebhook(t, key, r.url);
    const messageId = await writeEvent(ds(), venueId, 'booking.created');
    await waitFor(async () => (await deliveryOf(ds(), messageId, wh.id))?.status === 'succeeded');
    const hook = await t.http.get(`/api/v1/webhooks/${wh.id}`).set(bearer(key));
    expect(hook.body).toMatchObject({ enabled: true, failing_since: null });
  });
});

describe('outbound webhooks: deleting a webhook (schedule: every 300 ms, 50 attempts)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let t: TestApp;
  let r: Receiver;
  beforeAll(async () => {
    db = await createOwnDatabase();
    t = await startTestApp({ DATABASE_URL: db.url, WEBHOOK_RETRY_SCHEDULE: 'base_ms=300,factor=1,max_ms=300,attempts=50,jitter=0' });
    // Always failing, so the delivery is waiting for a retry when the webhook goes.
    r = await startReceiver(() => ({ status: 500 }));
  });
  afterAll(async () => {
    await t.stop();
    await r.close();
    await db.drop();
  });

  it('stops pending deliveries at once, and creates none afterwards', async () => {
    const ds = t.composed.deps.dataSource;
    const venueId = (await createVenue(t)).id;
    const key = await createApiKey(t, venueId);
    const wh = await registerWebhook(t, key, r.url);
    const messageId = await writeEvent(ds, venueId, 'booking.cancelled');
    await waitFor(async () => r.requests.length >= 2, { what: 'two failed attempts' });

    expect((await t.http.delete(`/api/v1/webhooks/${wh.id}`).set(bearer(key))).status).toBe(204);
    const [d] = await deliveriesOf(ds, messageId);
    expect(d).toMatchObject({ status: 'failed', last_error: 'Webhook deleted', next_attempt_at: null });
    const attemptsAtDelete = d!.attempts;
    // The delivery's job runs once more at most (an attempt may have been in flight), finds it stopped, and ends.
    const queue = t.composed.deps.queues.webhookDeliveries;
    await waitFor(async () => {
      const job = await queue.getJob(d!.id);
      return !job || ['completed', 'failed'].includes(await job.getState());
    }, { what: 'the job to end' });
    const after = (await deliveriesOf(ds, messageId))[0]!;
    expect(after.status).toBe('failed');
    expect(after.attempts).toBeLessThanOrEqual(attemptsAtDelete + 1);
    expect(r.requests.length).toBeLessThanOrEqual(attemptsAtDelete + 1);

    // New events create no delivery for the deleted webhook.
    const later = await writeEvent(ds, venueId, 'booking.cancelled');
    await waitFor(async () => {
      const rows = (await ds.query('SELECT relayed_at FROM outbox WHERE message_id = ?', [later])) as { relayed_at: Date | null }[];
      return rows[0]?.relayed_at;
    }, { what: 'later event relayed' });
    expect(await deliveriesOf(ds, later)).toEqual([]);
  });
});

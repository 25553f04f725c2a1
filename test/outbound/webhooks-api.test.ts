import mysql from 'mysql2/promise';
import { parseDatabaseUrl } from '../../src/platform/db/data-source';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait-for';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { bearer, createOwnDatabase } from './outbound-helpers';

describe('webhooks API: /api/v1/webhooks', () => {
  let db: { url: string; drop: () => Promise<void> };
  let t: TestApp;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    db = await createOwnDatabase();
    t = await startTestApp({ DATABASE_URL: db.url });
    key = await createApiKey(t, (await createVenue(t)).id);
    otherKey = await createApiKey(t, (await createVenue(t)).id);
  });
  afterAll(async () => {
    await t.stop();
    await db.drop();
  });

  it('creates a webhook with 201 and shows its whsec_ secret this once, stored encrypted', async () => {
    const res = await t.http.post('/api/v1/webhooks').set(bearer(key))
      .send({ url: 'http://127.0.0.1:9/hooks', events: ['booking.created', 'sale.recorded'] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^wh_/),
      url: 'http://127.0.0.1:9/hooks',
      events: ['booking.created', 'sale.recorded'],
      enabled: true,
      disabled_reason: null,
      failing_since: null,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
    });
    const secret = res.body.secret as string;

    const one = await t.http.get(`/api/v1/webhooks/${res.body.id}`).set(bearer(key));
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('secret');
    const list = await t.http.get('/api/v1/webhooks').set(bearer(key));
    expect(list.status).toBe(200);
    expect(list.body.next_cursor).toBeNull();
    expect(list.body.data.map((w: { id: string }) => w.id)).toContain(res.body.id);
    expect(JSON.stringify(list.body)).not.toContain(secret);

    const rows = (await t.composed.deps.dataSource.query('SELECT secret_encrypted FROM webhooks WHERE id = ?', [res.body.id])) as { secret_encrypted: string }[];
    expect(rows[0]!.secret_encrypted).not.toContain(secret.slice(6));
    expect(t.composed.deps.secretBox.decrypt(rows[0]!.secret_encrypted)).toBe(secret);
  });

  it('accepts ["*"] for every event', async () => {
    const res = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url: 'http://127.0.0.1:9/all', events: ['*'] });
    expect(res.status).toBe(201);
    expect(res.body.events).toEqual(['*']);
  });

  it('rejects unknown event names, missing fields and unknown fields with 400 validation_error', async () => {
    const unknown = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url: 'http://127.0.0.1:9/x', events: ['booking.exploded'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'validation_error', details: { field: 'events[0]' } });
    const empty = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url: 'http://127.0.0.1:9/x', events: [] });
    expect(empty.status).toBe(400);
    const noUrl = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ events: ['*'] });
    expect(noUrl.status).toBe(400);
    expect(noUrl.body.error.details.field).toBe('url');
    const extra = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url: 'http://127.0.0.1:9/x', events: ['*'], secret: 'mine' });
    expect(extra.status).toBe(400);
  });

  it('rejects a URL that is not http(s) with 400 invalid_webhook_url naming the field', async () => {
    for (const url of ['not a url', 'ftp://example.com/x', 'https://user:pass@example.com/x']) {
      const res = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url, events: ['*'] });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_webhook_url', details: { field: 'url' } });
    }
  });

  it("answers 404 for another venue's webhook, and never lists it", async () => {
    const mine = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url: 'http://127.0.0.1:9/mine', events: ['*'] });
    for (const [method, path] of [
      ['get', `/api/v1/webhooks/${mine.body.id}`],
      ['get', `/api/v1/webhooks/${mine.body.id}/deliveries`],
      ['patch', `/api/v1/webhooks/${mine.body.id}`],
      ['delete', `/api/v1/webhooks/${mine.body.id}`],
    ] as const) {
      const res = await t.http[method](path).set(bearer(otherKey)).send(method === 'patch' ? { enabled: false } : undefined);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const theirs = await t.http.get('/api/v1/webhooks').set(bearer(otherKey));
    expect(theirs.body.data).toEqual([]);
    expect((await t.http.get(`/api/v1/webhooks/${mine.body.id}`).set(bearer(key))).status).toBe(200);
  });

  it('deletes with 204; the webhook is then gone from reads and lists', async () => {
    const wh = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url: 'http://127.0.0.1:9/gone', events: ['*'] });
    const del = await t.http.delete(`/api/v1/webhooks/${wh.body.id}`).set(bearer(key));
    expect(del.status).toBe(204);
    expect((await t.http.get(`/api/v1/webhooks/${wh.body.id}`).set(bearer(key))).status).toBe(404);
    expect((await t.http.delete(`/api/v1/webhooks/${wh.body.id}`).set(bearer(key))).status).toBe(404);
    const list = await t.http.get('/api/v1/webhooks?limit=200').set(bearer(key));
    expect(list.body.data.map((w: { id: string }) => w.id)).not.toContain(wh.body.id);
    // Soft delete: the row (and its delivery log) stays.
    const rows = (await t.composed.deps.dataSource.query('SELECT deleted_at FROM webhooks WHERE id = ?', [wh.body.id])) as { deleted_at: Date | null }[];
    expect(rows[0]!.deleted_at).toBeInstanceOf(Date);
  });

  it('deletes with 204 when it meets the delivery worker in a deadlock: the losing delete runs again', async () => {
    const wh = (await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url: 'http://127.0.0.1:9/race', events: ['*'] })).body;
    const p = parseDatabaseUrl(db.url);
    const worker = await mysql.createConnection({ host: p.host, port: p.port, user: p.username, password: p.password, database: p.database });
    try {
      // As the worker side does (the relay writing deliveries, the recorder updating them): delivery rows
      // first (their foreign key share-locks the webhook row), then the webhook row. More rows than the
      // delete has touched, so InnoDB picks the delete as the deadlock victim.
      await worker.query('START TRANSACTION');
      const now = new Date();
      for (let i = 0; i < 20; i++) {
        await worker.query(
          `INSERT INTO webhook_deliveries (id, webhook_id, message_id, event, status, attempts, created_at, updated_at)
           VALUES (?, ?, ?, 'booking.created', 'pending', 0, ?, ?)`,
          [`whd_${i}_${wh.id}`.slice(0, 40), wh.id, `msg_race_${i}`, now, now],
        );
      }
      const deleting = t.http.delete(`/api/v1/webhooks/${wh.id}`).set(bearer(key)).then((r) => r);
      // The delete waits to take the webhook row (MariaDB refreshes these tables only after 100 ms unread).
      await waitFor(async () => {
        const rows = (await t.composed.deps.dataSource.query(
          `SELECT 1 FROM information_schema.INNODB_LOCK_WAITS w
             JOIN information_schema.INNODB_LOCKS l ON l.lock_id = w.requested_lock_id
            WHERE l.lock_table LIKE '%\`webhooks\`' AND l.lock_data = ?`,
          [`'${wh.id}'`],
        )) as unknown[];
        return rows.length > 0;
      }, { what: 'the delete to wait for the webhook row', intervalMs: 250 });
      // Closing the cycle: this wants the webhook row too. The delete loses, is run again, and then waits
      // for this transaction, which must go through.
      await worker.query('UPDATE webhooks SET failing_since = COALESCE(failing_since, ?) WHERE id = ?', [now, wh.id]);
      await worker.query('COMMIT');
      expect((await deleting).status).toBe(204);
      const [stopped] = await worker.query("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = ? AND status = 'failed' AND last_error = 'Webhook deleted'", [wh.id]);
      expect(Number((stopped as { n: number }[])[0]!.n)).toBe(20);
    } finally {
      await worker.end();
    }
  });

  it('pages the list with limit and an opaque cursor', async () => {
    const key3 = await createApiKey(t, (await createVenue(t)).id);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await t.http.post('/api/v1/webhooks').set(bearer(key3)).send({ url: `http://127.0.0.1:9/p${i}`, events: ['*'] })).body.id);
    }
    const first = await t.http.get('/api/v1/webhooks?limit=2').set(bearer(key3));
    expect(first.body.data.map((w: { id: string }) => w.id)).toEqual(ids.slice(0, 2));
    expect(typeof first.body.next_cursor).toBe('string');
    const second = await t.http.get(`/api/v1/webhooks?limit=2&cursor=${first.body.next_cursor}`).set(bearer(key3));
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: ids[2] })], next_cursor: null });

    for (const q of ['limit=0', 'limit=201', 'limit=abc', 'cursor=%%%', 'cursor=bm9wZQ']) {
      const bad = await t.http.get(`/api/v1/webhooks?${q}`).set(bearer(key3));
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('validation_error');
    }
  });

  it('needs webhooks:read to read and webhooks:write to change', async () => {
    const venue = await createVenue(t);
    const readOnly = await createApiKey(t, venue.id, ['webhooks:read']);
    const post = await t.http.post('/api/v1/webhooks').set(bearer(readOnly)).send({ url: 'http://127.0.0.1:9/x', events: ['*'] });
    expect(post.status).toBe(403);
    expect(post.body.error).toMatchObject({ code: 'insufficient_scope', details: { required_scope: 'webhooks:write' } });
    expect((await t.http.get('/api/v1/webhooks').set(bearer(readOnly))).status).toBe(200);
    const noScope = await createApiKey(t, venue.id, ['bookings:read']);
    const get = await t.http.get('/api/v1/webhooks').set(bearer(noScope));
    expect(get.status).toBe(403);
    expect(get.body.error.details.required_scope).toBe('webhooks:read');
  });

  it('changes url and events, and disables and re-enables with PATCH', async () => {
    const wh = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url: 'http://127.0.0.1:9/a', events: ['*'] });
    const patched = await t.http.patch(`/api/v1/webhooks/${wh.body.id}`).set(bearer(key)).send({ url: 'http://127.0.0.1:9/b', events: ['sale.recorded'] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ url: 'http://127.0.0.1:9/b', events: ['sale.recorded'], enabled: true });
    const off = await t.http.patch(`/api/v1/webhooks/${wh.body.id}`).set(bearer(key)).send({ enabled: false });
    expect(off.body).toMatchObject({ enabled: false, disabled_reason: expect.any(String) });
    const on = await t.http.patch(`/api/v1/webhooks/${wh.body.id}`).set(bearer(key)).send({ enabled: true });
    expect(on.body).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
    expect((await t.http.patch(`/api/v1/webhooks/${wh.body.id}`).set(bearer(key)).send({})).status).toBe(400);
  });
});

describe('webhooks API: where deliveries may go', () => {
  let db: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    db = await createOwnDatabase();
  });
  afterAll(() => db.drop());

  it('refuses loopback and private addresses, also after DNS resolution, while WEBHOOK_ALLOW_PRIVATE is off', async () => {
    const t = await startTestApp({ DATABASE_URL: db.url, WEBHOOK_ALLOW_PRIVATE: 'false' });
    try {
      const key = await createApiKey(t, (await createVenue(t)).id);
      for (const url of ['http://127.0.0.1:8080/hooks', 'http://10.1.2.3/hooks', 'http://[::1]/hooks', 'http://169.254.169.254/latest', 'http://localhost/hooks']) {
        const res = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url, events: ['*'] });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'invalid_webhook_url', details: { field: 'url', reason: 'private_address' } });
      }
      expect((await t.http.get('/api/v1/webhooks').set(bearer(key))).body.data).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  it('requires https when NODE_ENV=production', async () => {
    const t = await startTestApp({ DATABASE_URL: db.url, NODE_ENV: 'production' });
    try {
      const key = await createApiKey(t, (await createVenue(t)).id);
      const res = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url: 'http://example.com/hooks', events: ['*'] });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_webhook_url', details: { field: 'url', reason: 'https_required' } });
    } finally {
      await t.stop();
    }
  });
});

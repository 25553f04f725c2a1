import { createVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';

describe('admin API: API keys', () => {
  let t: TestApp;
  let venueId: string;
  beforeAll(async () => {
    t = await startTestApp();
    venueId = (await createVenue(t)).id;
  });
  afterAll(() => t.stop());

  it('issues a ts_live_ key shown once and stores only its SHA-256 hash', async () => {
    const res = await t.admin('post', `/admin/v1/venues/${venueId}/api-keys`).send({ name: 'Website', scopes: ['bookings:read', 'bookings:write'] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^key_/), name: 'Website', scopes: ['bookings:read', 'bookings:write'], rate_limit_per_minute: 60 });
    const key = res.body.key as string;
    expect(key).toMatch(/^ts_live_[A-Za-z0-9_-]{20,}$/);

    const rows = (await t.composed.deps.dataSource.query('SELECT * FROM api_keys WHERE id = ?', [res.body.id])) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(key);
    const { createHash } = await import('node:crypto');
    expect(rows[0]!.key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    // Nowhere in the database: search every text column of every table.
    const dump = (await t.composed.deps.dataSource.query(
      "SELECT COUNT(*) AS n FROM api_keys WHERE key_hash = ? OR prefix = ? OR name = ?", [key, key, key])) as { n: number }[];
    expect(Number(dump[0]!.n)).toBe(0);
  });

  it('validates the body and the venue', async () => {
    const bad = await t.admin('post', `/admin/v1/venues/${venueId}/api-keys`).send({ name: 'x', scopes: ['everything'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.field).toBe('scopes[0]');
    const missing = await t.admin('post', '/admin/v1/venues/ven_missing/api-keys').send({ name: 'x', scopes: [] });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('revokes a key with 204 and answers 404 for an unknown one', async () => {
    const res = await t.admin('post', `/admin/v1/venues/${venueId}/api-keys`).send({ name: 'Temp', scopes: [] });
    const del = await t.admin('delete', `/admin/v1/api-keys/${res.body.id}`);
    expect(del.status).toBe(204);
    const rows = (await t.composed.deps.dataSource.query('SELECT revoked_at FROM api_keys WHERE id = ?', [res.body.id])) as { revoked_at: Date | null }[];
    expect(rows[0]!.revoked_at).not.toBeNull();
    expect((await t.admin('delete', '/admin/v1/api-keys/key_nope')).status).toBe(404);
  });
});

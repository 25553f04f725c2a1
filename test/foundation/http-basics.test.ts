import { startTestApp, type TestApp } from '../helpers/test-app';

describe('HTTP basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('answers unknown routes with 404 not_found in the envelope', async () => {
    const res = await t.http.get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String), details: null } });
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await t.admin('post', '/admin/v1/venues').set('Content-Type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js|SyntaxError/);
  });

  it('answers an oversize body with 413 payload_too_large', async () => {
    const res = await t.admin('post', '/admin/v1/venues').set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('sets a request id and security headers', async () => {
    const res = await t.http.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    const echoed = await t.http.get('/healthz').set('X-Request-Id', 'abc-123');
    expect(echoed.headers['x-request-id']).toBe('abc-123');
  });

  it('sends no ETag, and no browser security headers on the POS ingest routes (they still get a request id)', async () => {
    const doc = await t.http.get('/api/v1/openapi');
    expect(doc.status).toBe(200);
    expect(doc.headers.etag).toBeUndefined();
    const ingest = await t.http.post('/partners/no-such-partner/events/sale.updated').set('Content-Type', 'application/json').send('{}');
    expect(ingest.status).toBe(400);
    expect(ingest.body.error.code).toBe('unknown_partner');
    expect(ingest.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(ingest.headers['x-content-type-options']).toBeUndefined();
    expect((await t.http.get('/partners')).headers['x-content-type-options']).toBe('nosniff');
  });

  it('reports ready when MySQL and Redis answer', async () => {
    const res = await t.http.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ mysql: 'ok', redis: 'ok' });
  });

  it('serves Prometheus metrics with request counts and queue depths', async () => {
    await t.http.get('/healthz');
    const res = await t.http.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('tablesync_http_requests_total');
    expect(res.text).toContain('tablesync_http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/tablesync_queue_jobs\{queue="inbound-events",state="waiting"\} \d+/);
  });
});

describe('readiness without Redis', () => {
  it('goes 503 when Redis does not answer (closed port)', async () => {
    const t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await t.http.get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body.checks).toEqual({ mysql: 'ok', redis: 'down' });
      expect((await t.http.get('/healthz')).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});

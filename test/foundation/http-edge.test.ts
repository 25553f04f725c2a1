import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { Customer } from '../../src/platform/db/entities';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { createTestPartner, signedPost, type TestPartner } from '../helpers/partner';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../helpers/test-app';

/** `depth` nested arrays around a value: [[[…1…]]]. */
const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

/**
 * Sends raw request bytes on a fresh connection and resolves with the first response's status line and
 * how long it took; the connection is left to the server to close.
 */
function rawRequest(port: number, head: string, body = ''): Promise<{ statusLine: string; ms: number; text: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 3 s (got ${JSON.stringify(text.slice(0, 200))})`));
    }, 3000);
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      // The whole (small) error body has arrived once the JSON closes.
      if (/\r\n\r\n[\s\S]*\}\}/.test(text) || /\r\n\r\n[\s\S]*\r\n0\r\n\r\n/.test(text)) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ statusLine: text.split('\r\n')[0]!, ms: Date.now() - started, text });
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (text) resolve({ statusLine: text.split('\r\n')[0]!, ms: Date.now() - started, text });
      else reject(err);
    });
    socket.write(head + body);
  });
}

describe('HTTP edge: body limits, depth and text safety', () => {
  let t: TestApp;
  let server: Server;
  let port: number;
  let key: string;
  let partner: TestPartner;

  beforeAll(async () => {
    t = await startTestApp();
    server = createServer(t.composed.app!);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const venue = await createVenue(t);
    key = await createApiKey(t, venue.id);
    partner = await createTestPartner(t);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await t.stop();
  });

  describe('deeply nested bodies', () => {
    it.each(['/api/v1/bookings', '/api/v1/customers'])('%s answers 400 validation_error, with or without an Idempotency-Key', async (path) => {
      for (const headers of [{}, { 'Idempotency-Key': `deep-${Date.now()}` }]) {
        const res = await t.http.post(path).set('Authorization', `Bearer ${key}`).set(headers)
          .set('Content-Type', 'application/json').send(`{"name": ${nested(20_000)}}`);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation_error');
        expect(res.body.error.details.max_depth).toBe(64);
      }
    });

    it('the admin routes refuse it too, and a body nested within the bound still reaches validation', async () => {
      const deep = await t.admin('post', '/admin/v1/venues').set('Content-Type', 'application/json').send(`{"name": ${nested(65)}}`);
      expect(deep.status).toBe(400);
      expect(deep.body.error.details.max_depth).toBe(64);
      const within = await t.admin('post', '/admin/v1/venues').set('Content-Type', 'application/json').send(`{"name": ${nested(60)}}`);
      expect(within.status).toBe(400);
      expect(within.body.error.details.field).not.toBe('(body)');
    });

    it('brackets inside strings do not count as nesting', async () => {
      const res = await t.http.post('/api/v1/customers').set('Authorization', `Bearer ${key}`)
        .send({ name: `Ada ${'['.repeat(90)} "quoted" \\ ${'{'.repeat(90)}` });
      expect(res.status).toBe(201);
    });

    it('a deep native payload on the ingest route is 400 invalid_payload (fast and lossless parse paths alike)', async () => {
      for (const body of [`{"sale": ${nested(100_000)}}`, `{"id": 9765040300495493123, "sale": ${nested(100_000)}}`]) {
        const res = await signedPost(t, partner, 'sale.updated', body);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_payload');
        expect(res.body.error.message).toMatch(/deeper than 64/);
      }
    });
  });

  describe('oversize bodies are refused at once', () => {
    const huge = (path: string, auth = '') =>
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${auth}Content-Length: 999999999999\r\n\r\n`;

    it.each([
      ['the ingest route', () => huge(`/partners/${partner.name}/events/sale.updated`)],
      ['the admin routes', () => huge('/admin/v1/venues', `Authorization: Bearer ${ADMIN_TOKEN}\r\n`)],
      ['the booking API', () => huge('/api/v1/bookings', `Authorization: Bearer ${key}\r\n`)],
    ])('a declared Content-Length over the limit on %s is 413 payload_too_large without reading the body', async (_where, head) => {
      const res = await rawRequest(port, head(), '{"a":');
      expect(res.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
      expect(res.text).toContain('"code":"payload_too_large"');
      expect(res.text.toLowerCase()).toContain('connection: close');
      expect(res.ms).toBeLessThan(1000);
    });

    it.each([
      ['the ingest route', () => `/partners/${partner.name}/events/sale.updated`, ''],
      ['the admin routes', () => '/admin/v1/venues', `Authorization: Bearer ${ADMIN_TOKEN}\r\n`],
    ])('a chunked body on %s is 413 as soon as it passes the limit, while the client is still sending', async (_where, path, auth) => {
      const head = `POST ${path()} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${auth}Transfer-Encoding: chunked\r\n\r\n`;
      const chunk = 'x'.repeat(64 * 1024);
      const chunks = Array.from({ length: 17 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
      // 17 × 64 KiB > 1 MiB, and the body never ends (no zero-length chunk).
      const res = await rawRequest(port, head, chunks);
      expect(res.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
      expect(res.ms).toBeLessThan(1000);
    });

    it('a client that sends its whole oversize body still reads the 413 (no connection reset before it is read)', async () => {
      // The server answers before the body is in; closing with the rest unread made the kernel reset the
      // connection, and the reset could discard the 413 on its way (the client saw ECONNRESET).
      const body = Buffer.alloc(4 * 1024 * 1024, 'x');
      const head = `POST /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
      const answers = await Promise.all(Array.from({ length: 10 }, () => new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let text = '';
        const done = () => resolve(text.split('\r\n')[0] || 'no answer (reset)');
        socket.setTimeout(5000, () => socket.destroy());
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        socket.on('error', done);
        socket.on('close', done);
        // Reads only a while after its body is written, as a busy client does: by then the server has closed.
        socket.pause();
        socket.write(head);
        socket.end(body, () => setTimeout(() => socket.resume(), 300));
      })));
      expect(answers.filter((a) => a !== 'HTTP/1.1 413 Payload Too Large')).toEqual([]);
    });

    it('a body within the limit is still read in full (and then validated)', async () => {
      const res = await t.http.post('/api/v1/customers').set('Authorization', `Bearer ${key}`).send({ name: 'Grace Hopper', notes: 'n'.repeat(900_000) });
      expect(res.status).toBe(400);
      expect(res.body.error.details.field).toBe('notes');
    });
  });

  describe('text safe for storage', () => {
    it('a lone surrogate in an API body is stored as U+FFFD (customer name and notes)', async () => {
      const res = await t.http.post('/api/v1/customers').set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/json')
        .send('{"name": "Zo\\ud83d", "notes": "half \\udc00 an emoji", "email": "zo@example.com"}');
      expect(res.status).toBe(201);
      expect(res.body.name).toBe('Zo\ufffd');
      const row = await t.composed.deps.dataSource.manager.findOneByOrFail(Customer, { id: res.body.id });
      expect(row.name).toBe('Zo\ufffd');
      expect(row.notes).toBe('half \ufffd an emoji');
    });
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postWebhook, RESPONSE_BODY_LIMIT } from '../../src/modules/webhooks/post-webhook';
import { blockPrivateLookup } from '../../src/modules/webhooks/webhook-url-policy';

interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: string;
  port: number;
  received: Received[];
  close: () => Promise<void>;
}

/** A real HTTP receiver on loopback; `respond` runs after the whole request body is read. */
async function startReceiver(
  respond: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      respond(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const body = JSON.stringify({ id: 'msg_1', event: 'booking.created', created_at: '2026-05-01T18:00:00.000Z', data: { n: 'café' } });
const headers = { 'Content-Type': 'application/json', 'X-Tablesync-Signature': 'abc', 'webhook-id': 'msg_1' };

describe('postWebhook', () => {
  const receivers: Receiver[] = [];
  const receiver = async (respond: Parameters<typeof startReceiver>[0]) => {
    const r = await startReceiver(respond);
    receivers.push(r);
    return r;
  };
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('when the receiver answers 200, then the attempt is ok and the exact bytes and headers arrived', async () => {
    const r = await receiver((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('thanks'));
    const result = await postWebhook({ url: r.url, body, headers });
    expect(result).toMatchObject({ ok: true, status: 200, responseBody: 'thanks', error: null, retryable: false });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(r.received).toHaveLength(1);
    const [got] = r.received;
    expect(got.method).toBe('POST');
    expect(got.path).toBe('/hook');
    expect(got.body).toBe(body);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-tablesync-signature']).toBe('abc');
    expect(got.headers['webhook-id']).toBe('msg_1');
    expect(got.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('treats any 2xx as ok', async () => {
    const r = await receiver((_req, res) => res.writeHead(204).end());
    expect(await postWebhook({ url: r.url, body, headers })).toMatchObject({ ok: true, status: 204, responseBody: '' });
  });

  it('when the receiver answers 500, then the attempt failed and is retryable', async () => {
    const r = await receiver((_req, res) => res.writeHead(500).end('boom'));
    const result = await postWebhook({ url: r.url, body, headers });
    expect(result).toMatchObject({ ok: false, status: 500, responseBody: 'boom', retryable: true });
    expect(result.error).toMatch(/500/);
  });

  it('retries 4xx answers too (like Svix and Stripe)', async () => {
    const r = await receiver((_req, res) => res.writeHead(404).end());
    expect(await postWebhook({ url: r.url, body, headers })).toMatchObject({ ok: false, status: 404, retryable: true });
  });

  it('does not follow a redirect: the target never sees a request', async () => {
    const target = await receiver((_req, res) => res.writeHead(200).end());
    const r = await receiver((_req, res) => res.writeHead(302, { Location: target.url }).end());
    const result = await postWebhook({ url: r.url, body, headers });
    expect(result).toMatchObject({ ok: false, status: 302, retryable: true });
    expect(result.error).toMatch(/redirect/i);
    expect(r.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
  });

  it('when the receiver never answers, then the attempt times out with no status', async () => {
    const r = await receiver(() => {
      /* never respond */
    });
    const started = Date.now();
    const result = await postWebhook({ url: r.url, body, headers, timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, status: null, responseBody: '', retryable: true });
    expect(result.error).toMatch(/timed out/i);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.durationMs).toBeGreaterThanOrEqual(150);
  });

  it('when the status arrives but the body stalls, then the status decides', async () => {
    const r = await receiver((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const result = await postWebhook({ url: r.url, body, headers, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: true, status: 200, responseBody: 'partial' });
  });

  it('when nothing listens on the port, then the connection error is retryable with no status', async () => {
    const r = await startReceiver(() => undefined);
    await r.close();
    const result = await postWebhook({ url: r.url, body, headers, timeoutMs: 2_000 });
    expect(result).toMatchObject({ ok: false, status: null, retryable: true });
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it('keeps only the first 2 KiB of the response body', async () => {
    const r = await receiver((_req, res) => res.writeHead(400).end('x'.repeat(100_000)));
    const result = await postWebhook({ url: r.url, body, headers });
    expect(result.status).toBe(400);
    expect(result.responseBody).toHaveLength(RESPONSE_BODY_LIMIT);
  });

  it('with the blocking lookup, refuses to connect to a host resolving to loopback, without retry', async () => {
    const r = await receiver((_req, res) => res.writeHead(200).end());
    const result = await postWebhook({
      url: `http://localhost:${r.port}/hook`,
      body,
      headers,
      lookup: blockPrivateLookup,
    });
    expect(result).toMatchObject({ ok: false, status: null, retryable: false });
    expect(result.error).toMatch(/not a public address/);
    expect(r.received).toHaveLength(0);
  });

  it('does not retry a URL it cannot use', async () => {
    expect(await postWebhook({ url: 'not a url', body, headers })).toMatchObject({ ok: false, status: null, retryable: false });
    expect(await postWebhook({ url: 'ftp://example.com/', body, headers })).toMatchObject({ ok: false, retryable: false });
  });
});

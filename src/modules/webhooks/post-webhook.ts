import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BLOCKED_ADDRESS_CODE } from './webhook-url-policy';

/**
 * One HTTP attempt of a webhook delivery. Never throws: every outcome is a result the worker logs.
 *
 * Retry rule (as Svix and Stripe do): anything but a 2xx is retryable, 4xx included. Receivers often
 * answer 401/404/410 while they deploy or rotate secrets, and the retry schedule bounds the cost. Only
 * failures that cannot change on their own (bad URL, refused address, invalid header) are not retryable.
 * Redirects are never followed: the policy checked the registered URL, not wherever a 3xx points.
 */

/** Response bodies are kept for the attempt log only. */
export const RESPONSE_BODY_LIMIT = 2048;

export interface PostWebhookInput {
  url: string | URL;
  /** Sent as is; the signatures cover these bytes. */
  body: string;
  headers: Record<string, string>;
  /** Deadline for connect + request + response headers. @defaultValue 10_000 (CONTRACT §7) */
  timeoutMs?: number;
  /** e.g. `blockPrivateLookup` when private addresses are not allowed. @defaultValue dns.lookup */
  lookup?: LookupFunction;
  /** @defaultValue a shared keep-alive agent per protocol */
  agent?: http.Agent;
}

export interface PostWebhookResult {
  /** 2xx answer. */
  ok: boolean;
  /** null when no response arrived (timeout, connection error). */
  status: number | null;
  durationMs: number;
  /** First {@link RESPONSE_BODY_LIMIT} bytes, decoded as UTF-8. */
  responseBody: string;
  error: string | null;
  retryable: boolean;
}

// Keep-alive: retries and bursts to one receiver reuse connections (and TLS sessions). No socket cap per
// receiver here: the delivery worker's concurrency (WEBHOOK_CONCURRENCY) already bounds what is in flight.
const httpAgent = new http.Agent({ keepAlive: true, timeout: 60_000 });
const httpsAgent = new https.Agent({ keepAlive: true, timeout: 60_000 });

export function postWebhook(input: PostWebhookInput): Promise<PostWebhookResult> {
  const timeoutMs = input.timeoutMs ?? 10_000;
  const started = performance.now();

  return new Promise((resolve) => {
    let settled = false;
    // Assigned once the request is sent; `finish` may run before that.
    // eslint-disable-next-line prefer-const
    let timer: NodeJS.Timeout | undefined;
    let response: http.IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let size = 0;

    const finish = (result: Omit<PostWebhookResult, 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: Math.round(performance.now() - started) });
    };
    const fail = (error: string, retryable: boolean): void =>
      finish({ ok: false, status: null, responseBody: '', error, retryable });
    // Once the status line is in, the receiver has answered: the body is best effort.
    const answered = (): void => {
      const status = response?.statusCode ?? 0;
      const responseBody = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8');
      if (status >= 200 && status < 300) {
        finish({ ok: true, status, responseBody, error: null, retryable: false });
      } else if (status >= 300 && status < 400) {
        const location = response?.headers.location;
        const to = location ? ` to ${location}` : '';
        finish({ ok: false, status, responseBody, error: `Redirect ${status}${to} not followed`, retryable: true });
      } else {
        finish({ ok: false, status, responseBody, error: `HTTP ${status}`, retryable: true });
      }
    };

    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      return fail('Invalid URL', false);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(`Unsupported protocol ${url.protocol}`, false);
    const isHttps = url.protocol === 'https:';

    const headers: Record<string, string | number> = {
      'User-Agent': 'Tablesync-Webhooks/1.0',
      ...input.headers,
      'Content-Length': Buffer.byteLength(input.body, 'utf8'),
    };

    let req: http.ClientRequest;
    try {
      req = (isHttps ? https : http).request(
        url,
        {
          method: 'POST',
          headers,
          agent: input.agent ?? (isHttps ? httpsAgent : httpAgent),
          ...(input.lookup ? { lookup: input.lookup } : {}),
        },
        (res) => {
          response = res;
          res.on('data', (chunk: Buffer) => {
            if (size < RESPONSE_BODY_LIMIT) {
              chunks.push(chunk);
              size += chunk.length;
            }
            // Enough for the log; drop the connection rather than download the rest.
            if (size >= RESPONSE_BODY_LIMIT) {
              answered();
              res.destroy();
            }
          });
          res.on('end', answered);
          res.on('error', answered);
          res.on('close', answered);
        },
      );
    } catch (err) {
      // Synchronous throws are bad input, e.g. an invalid header value: retrying will not help.
      return fail((err as Error).message, false);
    }

    timer = setTimeout(() => {
      if (response) {
        answered();
        response.destroy();
      } else {
        fail(`Timed out after ${timeoutMs} ms`, true);
        req.destroy();
      }
    }, timeoutMs);

    req.on('error', (err: NodeJS.ErrnoException) => {
      if (response) return answered();
      if (err.code === BLOCKED_ADDRESS_CODE) return fail(err.message, false);
      // Node 20's happy-eyeballs connect can reject with an AggregateError whose message is empty.
      const text = err.message || 'connection failed';
      fail(err.code && !text.includes(err.code) ? `${err.code}: ${text}` : text, true);
    });
    req.end(input.body);
  });
}

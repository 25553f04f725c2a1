import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { Express } from 'express';
import type { TestApp } from './test-app';
import { uniq } from './test-app';

export const PASSWORD = 'correct horse battery';

/** A venue user made through the admin API, with a password. */
export async function createUser(
  t: TestApp, venueId: string, role: 'owner' | 'manager' | 'host', password = PASSWORD,
): Promise<{ id: string; email: string; password: string }> {
  const email = `${uniq(role)}@example.com`;
  const res = await t.admin('post', `/admin/v1/venues/${venueId}/users`).send({ email, name: `A ${role}`, role, password });
  if (res.status !== 201) throw new Error(`user create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email, password };
}

export interface SignedIn {
  /** Keeps the session cookie between requests. */
  agent: TestAgent;
  csrf: string;
  cookie: string;
  body: Record<string, any>;
}

/** Signs in on `app` with a cookie-keeping agent; returns it with the CSRF token. */
export async function signIn(app: Express, email: string, password = PASSWORD): Promise<SignedIn> {
  const agent = supertest.agent(app);
  const res = await agent.post('/api/v1/session').send({ email, password });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { agent, csrf: res.body.csrf_token, cookie: sessionCookieOf(res.headers['set-cookie']), body: res.body };
}

/** `ts_session=…` from a response's Set-Cookie headers. */
export function sessionCookieOf(setCookie: string[] | string | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const line = list.find((c) => c.startsWith('ts_session='));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(list)}`);
  return line.split(';')[0]!;
}

/** The response is `status` with the contract's error envelope and this code. */
export function expectError(res: { status: number; body: any }, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(typeof res.body.error.message).toBe('string');
}

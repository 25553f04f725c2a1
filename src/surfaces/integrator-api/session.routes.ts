import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-deps';
import { presentUser, type Session, type UserRecord } from '../../modules/people';
import { bodySchema, defineOperation } from '../http/operation';
import {
  inviteResponseSchema, sessionResponseSchema, setPasswordSchema, signInSchema, type SetPasswordBody, type SignInBody,
} from '../http/schemas/people.schema';
import { clearSessionCookies, resolveSession, setSessionCookies, signedInOf } from '../http/session-auth';
import { SESSION_EXAMPLE } from '../http/openapi/examples';

/** Sign-in and invite bodies are a few fields: a small limit (body-parsers.ts) before any password is hashed. */
const SESSION_BODY_LIMIT = 16 * 1024;

/** The people module and the cookie settings of one app, as the session handlers use them. */
function sessionKit(deps: AppDeps) {
  const people = deps.people;
  const secure = deps.config.nodeEnv === 'production';

  const answerSignedIn = (res: Response, user: UserRecord, session: Session) => {
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json({ user: presentUser(user), csrf_token: session.csrf_token, scopes: people.scopesOf(user) });
  };

  /** Signing in always makes a new session (rotation): one the browser had before ends, so a planted cookie never becomes a signed-in one. */
  const startSession = async (req: Request, res: Response, user: UserRecord) => {
    const previous = await resolveSession(deps, req).catch(() => null);
    if (previous) await people.sessions.destroy(previous.session);
    const { token, session } = await people.sessions.create(user.id);
    setSessionCookies(res, token, secure);
    answerSignedIn(res, user, session);
  };

  return { people, secure, answerSignedIn, startSession };
}

/** Sessions and invites (CONTRACT §8): `/api/v1/session` and `/api/v1/invites/:token`; signing in needs no key. */
export const sessionOperations = [
  defineOperation({
    id: 'signIn', method: 'post', path: '/session', tag: 'Sessions', auth: 'public',
    summary: 'Sign in with email and password',
    description: 'Sets the session cookie (`HttpOnly`, `SameSite=Lax`, `Secure` in production), a new one at every sign-in. A wrong email and a wrong password get the same 401. More than 10 failed attempts for one email within 15 minutes → 429, even with the right password, until the window passes.',
    body: bodySchema<SignInBody>(signInSchema), bodyLimit: SESSION_BODY_LIMIT,
    bodyExample: { email: 'robin@anchor.example', password: 'correct horse battery' },
    responses: [{ status: 200, description: 'Signed in.', schema: sessionResponseSchema, example: SESSION_EXAMPLE }],
    errors: ['invalid_credentials', 'rate_limited'],
    handler: (deps) => {
      const kit = sessionKit(deps);
      return async ({ body, req, res }) => {
        const user = await kit.people.checkCredentials(body.email, body.password);
        await kit.startSession(req, res, user);
      };
    },
  }),
  defineOperation({
    id: 'getSession', method: 'get', path: '/session', tag: 'Sessions', auth: 'session',
    summary: 'The signed-in user and the CSRF token',
    responses: [{ status: 200, description: 'Signed in.', schema: sessionResponseSchema, example: SESSION_EXAMPLE }],
    handler: (deps) => {
      const kit = sessionKit(deps);
      return ({ res }) => {
        const { user, session } = signedInOf(res);
        kit.answerSignedIn(res, user, session);
      };
    },
  }),
  defineOperation({
    id: 'signOut', method: 'delete', path: '/session', tag: 'Sessions', auth: 'session',
    summary: 'Sign out: the session ends at once', responses: [{ status: 204, description: 'Signed out.' }],
    handler: (deps) => {
      const kit = sessionKit(deps);
      return async ({ res }) => {
        await kit.people.sessions.destroy(signedInOf(res).session);
        clearSessionCookies(res, kit.secure);
        res.status(204).end();
      };
    },
  }),
  defineOperation({
    id: 'getInvite', method: 'get', path: '/invites/:token', tag: 'Sessions', auth: 'public',
    summary: 'Who an invite link is for', responses: [{ status: 200, description: 'The invite.', schema: inviteResponseSchema }],
    errors: ['invite_expired'],
    handler: (deps) => {
      const kit = sessionKit(deps);
      return async ({ params, res }) => {
        const { user, expiresAt } = await kit.people.invite(params.token);
        const venue = user.venueId
          ? ((await deps.dataSource.query('SELECT name FROM venues WHERE id = ?', [user.venueId])) as { name: string }[])[0]
          : null;
        res.setHeader('Cache-Control', 'no-store');
        res.json({ email: user.email, name: user.name, role: user.role, venue_name: venue?.name ?? null, expires_at: expiresAt.toISOString() });
      };
    },
  }),
  defineOperation({
    id: 'acceptInvite', method: 'post', path: '/invites/:token', tag: 'Sessions', auth: 'public',
    summary: 'Set a password from an invite link and sign in',
    body: bodySchema<SetPasswordBody>(setPasswordSchema), bodyLimit: SESSION_BODY_LIMIT, bodyExample: { password: 'correct horse battery' },
    responses: [{ status: 200, description: 'Password set; signed in.', schema: sessionResponseSchema, example: SESSION_EXAMPLE }],
    errors: ['invite_expired'],
    handler: (deps) => {
      const kit = sessionKit(deps);
      return async ({ body, params, req, res }) => {
        const user = await kit.people.acceptInvite(params.token, body.password);
        await kit.startSession(req, res, user);
      };
    },
  }),
];

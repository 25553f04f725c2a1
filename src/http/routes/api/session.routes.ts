import express, { Router, type Response } from 'express';
import type { AppDeps } from '../../../app-deps';
import { jsonBody } from '../../body-parsers';
import { presentUser, type UserRecord } from '../../../modules/people';
import type { Session } from '../../../modules/people';
import {
  checkCsrf, clearSessionCookies, peopleOf, requireSession, resolveSession, setSessionCookies,
} from '../../session-auth';
import { setPasswordSchema, signInSchema, type SetPasswordBody, type SignInBody } from '../../schemas/people.schema';
import { compileSchema, parseWith } from '../../validation';

const validateSignIn = compileSchema<SignInBody>(signInSchema);
const validateSetPassword = compileSchema<SetPasswordBody>(setPasswordSchema);

/**
 * Sessions and invites (CONTRACT §8): `/api/v1/session` and `/api/v1/invites/:token`, before the key check
 * (signing in needs no key). Signing in always makes a new session (rotation): a session token that was
 * in the browser before is ended, so a planted cookie never becomes a signed-in one.
 */
export function sessionRouter(deps: AppDeps): Router {
  const router = Router();
  const people = peopleOf(deps);
  const secure = deps.config.nodeEnv === 'production';
  router.use(['/session', '/invites'], jsonBody(16 * 1024));

  const answerSignedIn = (res: Response, user: UserRecord, session: Session, status = 200) => {
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).json({ user: presentUser(user), csrf_token: session.csrf_token, scopes: people.scopesOf(user) });
  };

  const startSession = async (req: express.Request, res: Response, user: UserRecord) => {
    const previous = await resolveSession(deps, req).catch(() => null);
    if (previous) await people.sessions.destroy(previous.session);
    const { token, session } = await people.sessions.create(user.id);
    setSessionCookies(res, token, secure);
    answerSignedIn(res, user, session);
  };

  router.post('/session', async (req, res) => {
    const body = parseWith(validateSignIn, req.body);
    const user = await people.checkCredentials(body.email, body.password);
    await startSession(req, res, user);
  });

  router.get('/session', async (req, res) => {
    const principal = await requireSession(deps, req);
    answerSignedIn(res, principal.user, principal.session);
  });

  router.delete('/session', async (req, res) => {
    const principal = await requireSession(deps, req);
    checkCsrf(req, principal);
    await people.sessions.destroy(principal.session);
    clearSessionCookies(res, secure);
    res.status(204).end();
  });

  router.get('/invites/:token', async (req, res) => {
    const { user, expiresAt } = await people.invite(req.params.token);
    const venue = user.venueId ? ((await deps.dataSource.query('SELECT name FROM venues WHERE id = ?', [user.venueId])) as { name: string }[])[0] : null;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ email: user.email, name: user.name, role: user.role, venue_name: venue?.name ?? null, expires_at: expiresAt.toISOString() });
  });

  router.post('/invites/:token', async (req, res) => {
    const body = parseWith(validateSetPassword, req.body);
    const user = await people.acceptInvite(req.params.token, body.password);
    await startSession(req, res, user);
  });

  return router;
}

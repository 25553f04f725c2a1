import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { presentUser } from '../../../modules/people';
import {
  createOperatorSchema, createUserSchema, type CreateOperatorBody, type CreateUserBody,
} from '../../schemas/people.schema';
import { peopleOf } from '../../session-auth';
import { compileSchema, parseWith } from '../../validation';

const validateCreateUser = compileSchema<CreateUserBody>(createUserSchema);
const validateCreateOperator = compileSchema<CreateOperatorBody>(createOperatorSchema);

/** Venue users and platform operators, created by operators (CONTRACT §8). */
export function peopleAdminRouter(deps: AppDeps): Router {
  const router = Router();
  const people = peopleOf(deps);

  router.post('/venues/:venue_id/users', async (req, res) => {
    const body = parseWith(validateCreateUser, req.body);
    const { user, inviteUrl } = await people.create({ venueId: req.params.venue_id, ...body });
    res.status(201).json({ ...presentUser(user), ...(inviteUrl ? { invite_url: inviteUrl } : {}) });
  });

  router.post('/operators', async (req, res) => {
    const body = parseWith(validateCreateOperator, req.body);
    const { user, inviteUrl } = await people.create({ venueId: null, role: 'operator', ...body });
    res.status(201).json({ ...presentUser(user), ...(inviteUrl ? { invite_url: inviteUrl } : {}) });
  });

  return router;
}

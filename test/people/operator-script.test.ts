import { makeOperator } from '../../scripts/operator';
import { expectError, PASSWORD, signIn } from '../helpers/people';
import { startTestApp, testEnv, uniq, type TestApp } from '../helpers/test-app';

describe('npm run operator -- <email>', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('makes an operator whose invite link sets a password; their session may use /admin/v1', async () => {
    const email = `${uniq('first-ops')}@example.com`;
    const { inviteUrl } = await makeOperator([email, '--name', 'First Operator'], testEnv());
    const token = inviteUrl.split('/').pop()!;
    expect((await t.http.post(`/api/v1/invites/${token}`).send({ password: PASSWORD })).body.user).toMatchObject({ email, role: 'operator', name: 'First Operator' });
    const s = await signIn(t.composed.app!, email);
    expect((await s.agent.get('/admin/v1/partners')).status).toBe(200);
  });

  it('refuses a missing or malformed email and a taken one', async () => {
    await expect(makeOperator([], testEnv())).rejects.toThrow(/usage/);
    await expect(makeOperator(['not-an-email'], testEnv())).rejects.toThrow(/usage/);
    const email = `${uniq('twice')}@example.com`;
    await makeOperator([email], testEnv());
    await expect(makeOperator([email], testEnv())).rejects.toThrow(/already has an account/);
    expectError(await t.http.post('/api/v1/session').send({ email, password: PASSWORD }), 401, 'invalid_credentials');
  });
});

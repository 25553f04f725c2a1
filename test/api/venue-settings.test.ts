import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { createUser, expectError, signIn } from '../helpers/people';
import { startTestApp, type TestApp } from '../helpers/test-app';

const DEFAULTS = {
  public_booking: true,
  allowed_origins: [],
  booking_window_days: 90,
  party_size: { min: 1, max: 12 },
  max_instant_party_size: 8,
  cancellation_hours: 24,
  policies_text: '',
  theme: { accent: '#1f6feb' },
  request_hold_hours: 48,
  review_moderation: false,
  reply_to: null,
  notification_email: null,
  max_bookings_per_email_per_day: 3,
};

describe('venue settings (CONTRACT "Venue settings")', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let writer: string;
  let reader: string;
  const api = (method: 'get' | 'patch', path: string, key: string) => t.http[method](`/api/v1${path}`).set('Authorization', `Bearer ${key}`);

  beforeAll(async () => {
    t = await startTestApp();
    venue = await createVenue(t);
    writer = await createApiKey(t, venue.id, ['venue:read', 'venue:write']);
    reader = await createApiKey(t, venue.id, ['venue:read']);
  });
  afterAll(() => t.stop());

  it('shows every default on a new venue, on the admin and the booking API alike', async () => {
    expect(venue.json.settings).toEqual(DEFAULTS);
    const res = await api('get', '/venue', reader).expect(200);
    expect(res.body.settings).toEqual(DEFAULTS);
    expect(res.body.services[0].requires_approval).toBe(false);
  });

  it('changes only what a PATCH names; nested objects merge field by field', async () => {
    const res = await api('patch', '/venue', writer).send({ settings: { party_size: { max: 20 }, cancellation_hours: 2.5, reply_to: 'desk@example.com' } });
    expect(res.status).toBe(200);
    expect(res.body.settings).toEqual({ ...DEFAULTS, party_size: { min: 1, max: 20 }, cancellation_hours: 2.5, reply_to: 'desk@example.com' });
    const again = await api('patch', '/venue', writer).send({ settings: { theme: { accent: '#aa3300' }, reply_to: null } });
    expect(again.body.settings).toEqual({ ...DEFAULTS, party_size: { min: 1, max: 20 }, cancellation_hours: 2.5, theme: { accent: '#aa3300' } });
    expect((await api('get', '/venue', reader)).body.settings.party_size).toEqual({ min: 1, max: 20 });
  });

  it.each([
    [{ unknown_setting: 1 }, 'settings.unknown_setting'],
    [{ party_size: { min: 0 } }, 'settings.party_size.min'],
    [{ party_size: { min: 30 } }, 'settings.party_size'],
    [{ request_hold_hours: 0 }, 'settings.request_hold_hours'],
    [{ theme: { accent: 'red' } }, 'settings.theme.accent'],
    [{ allowed_origins: ['not a url'] }, 'settings.allowed_origins[0]'],
    [{ notification_email: 'nope' }, 'settings.notification_email'],
    [{ public_booking: 'yes' }, 'settings.public_booking'],
  ])('refuses %j with 400 validation_error naming %s, and changes nothing', async (settings, field) => {
    const before = (await api('get', '/venue', reader)).body.settings;
    const res = await api('patch', '/venue', writer).send({ settings });
    expectError(res, 400, 'validation_error');
    expect(res.body.error.details.field).toBe(field);
    expect((await api('get', '/venue', reader)).body.settings).toEqual(before);
  });

  it('needs venue:write (403 insufficient_scope), and a body with settings (400)', async () => {
    expectError(await api('patch', '/venue', reader).send({ settings: { public_booking: false } }), 403, 'insufficient_scope');
    expectError(await api('patch', '/venue', writer).send({}), 400, 'validation_error');
  });

  it('is changed by the admin API too, and taken at venue create', async () => {
    const res = await t.admin('patch', `/admin/v1/venues/${venue.id}`).send({ settings: { public_booking: false } });
    expect(res.status).toBe(200);
    expect(res.body.settings.public_booking).toBe(false);
    expectError(await t.admin('patch', '/admin/v1/venues/ven_missing').send({ settings: {} }), 404, 'not_found');
    const made = await createVenue(t, {
      settings: { max_instant_party_size: 4 },
      services: [{ name: 'Lunch', days: [1, 2, 3], start: '12:00', end: '15:00', slot_interval_minutes: 15, duration_minutes: 60, requires_approval: true }],
    });
    expect(made.json.settings).toEqual({ ...DEFAULTS, max_instant_party_size: 4 });
    expect(made.json.services[0].requires_approval).toBe(true);
    const bad = await t.admin('post', '/admin/v1/venues').send({ ...venue.body, slug: `${venue.body.slug}-x`, settings: { party_size: { min: 9, max: 2 } } });
    expectError(bad, 400, 'validation_error');
  });

  it('a venue made with several services answers each with its own id (no defaults read back out of order)', async () => {
    const services = ['Dinner', 'Lunch', 'Late', 'Brunch', 'Tea'].map((name, i) => ({
      name, days: [1, 2, 3], start: `${String(8 + i * 3).padStart(2, '0')}:00`, end: `${String(10 + i * 3).padStart(2, '0')}:00`,
      slot_interval_minutes: 15, duration_minutes: 60, requires_approval: i % 2 === 0,
    }));
    const made = await createVenue(t, { services });
    const stored = (await t.admin('get', `/admin/v1/venues/${made.id}`)).body.services as { id: string; name: string; requires_approval: boolean }[];
    for (const s of made.json.services as { id: string; name: string; requires_approval: boolean }[]) {
      expect(stored.find((x) => x.id === s.id)).toMatchObject({ name: s.name, requires_approval: s.requires_approval });
    }
  });

  it('PATCH /services/:id sets requires_approval; another venue\'s service is 404', async () => {
    const serviceId = venue.json.services[0].id as string;
    const res = await api('patch', `/services/${serviceId}`, writer).send({ requires_approval: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: serviceId, requires_approval: true });
    expect((await api('get', '/venue', reader)).body.services[0].requires_approval).toBe(true);
    const other = await createVenue(t);
    expectError(await api('patch', `/services/${other.json.services[0].id}`, writer).send({ requires_approval: true }), 404, 'not_found');
    expectError(await api('patch', `/services/${serviceId}`, writer).send({ name: 'x' }), 400, 'validation_error');
  });

  it('staff: a manager may change settings, a host may not', async () => {
    const manager = await createUser(t, venue.id, 'manager');
    const host = await createUser(t, venue.id, 'host');
    const m = await signIn(t.composed.app!, manager.email);
    const res = await m.agent.patch('/api/v1/venue').set('X-CSRF-Token', m.csrf).send({ settings: { policies_text: 'Deposits for 8+.' } });
    expect(res.status).toBe(200);
    expect(res.body.settings.policies_text).toBe('Deposits for 8+.');
    const h = await signIn(t.composed.app!, host.email);
    expectError(await h.agent.patch('/api/v1/venue').set('X-CSRF-Token', h.csrf).send({ settings: { policies_text: 'x' } }), 403, 'insufficient_scope');
  });

  it('partners carry send_confirmation (default true), set at create and by PATCH', async () => {
    const name = `plat-${Date.now()}`;
    const created = await t.admin('post', '/admin/v1/partners').send({ name, signature: { scheme: 'hmac-sha256-hex' }, send_confirmation: false });
    expect(created.status).toBe(201);
    expect(created.body.send_confirmation).toBe(false);
    const patched = await t.admin('patch', `/admin/v1/partners/${name}`).send({ send_confirmation: true });
    expect(patched.body.send_confirmation).toBe(true);
    const plain = await t.admin('post', '/admin/v1/partners').send({ name: `${name}-b`, signature: { scheme: 'hmac-sha256-hex' } });
    expect(plain.body.send_confirmation).toBe(true);
  });
});

import { Booking, OutboxMessage } from '../../src/platform/db/entities';
import { hashManageToken } from '../../src/modules/diary/manage-tokens';
import { createVenue, type CreatedVenue } from '../helpers/fixtures';
import { linkLocation, signedPost, type TestPartner, waitForEvent } from '../helpers/partner';
import { TestSmtpServer } from '../helpers/smtp';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';
import { createOwnDatabase } from '../outbound/outbound-helpers';
import { guestEnv } from '../guests/guest-helpers';

/**
 * A reservation's guest gets the confirmation email (CONTRACT §12, §10.3) with a working manage link, minted
 * as the booking writer mints it: with the booking, in its transaction (every booking with a guest email has
 * a manage token, CONTRACT §15), the raw token sealed into booking.created for the email. A real SMTP server
 * in the test process; a database of its own, since every app's relay takes every venue's outbox rows.
 */
describe('reservation confirmation emails', () => {
  let db: { url: string; drop: () => Promise<void> };
  let smtp: TestSmtpServer;
  let t: TestApp;
  let venue: CreatedVenue;
  const em = () => t.composed.deps.dataSource.manager;

  beforeAll(async () => {
    db = await createOwnDatabase();
    smtp = await new TestSmtpServer().start();
    t = await startTestApp(guestEnv({ DATABASE_URL: db.url, SMTP_URL: smtp.url }));
    venue = await createVenue(t);
  });
  afterAll(async () => {
    await t?.stop();
    await smtp?.stop();
    await db?.drop();
  });

  async function platform(sendConfirmation: boolean): Promise<TestPartner> {
    const res = await t.admin('post', '/admin/v1/partners').send({ name: uniq('resmail'), template: 'generic-reservations', send_confirmation: sendConfirmation });
    expect(res.status).toBe(201);
    const partner: TestPartner = { name: res.body.name, secret: res.body.secret, adapter: res.body.adapter, scheme: res.body.signature.scheme, header: res.body.signature.header };
    await linkLocation(t, partner.name, 'rest-1', venue.id);
    return partner;
  }

  async function reserve(partner: TestPartner, id: string, email: string, time: string): Promise<Booking> {
    const body = {
      restaurant_id: 'rest-1', id, status: 'confirmed', date: '2027-09-14', time, covers: 2, updated_at: '2027-09-01T10:00:00Z',
      guest_name: 'Grace Hopper', guest_email: email,
    };
    const res = await signedPost(t, partner, 'reservation', body);
    expect(res.status).toBe(200);
    expect((await waitForEvent(t, res.body.event_id as string)).status).toBe('processed');
    return em().findOneByOrFail(Booking, { externalPartner: partner.name, externalReservationId: id });
  }

  const tokensOf = async (bookingId: string) =>
    (await em().query('SELECT token_hash, created_at FROM booking_manage_tokens WHERE booking_id = ?', [bookingId])) as { token_hash: string; created_at: Date }[];

  it('carries a /manage/<token> link minted with the booking, which opens it', async () => {
    const p = await platform(true);
    const booking = await reserve(p, 'MAIL-1', 'grace.reservation@example.com', '19:00');
    const mail = await waitFor(async () => smtp.received.find((m) => (m.parsed.subject ?? '').includes(booking.reference)), { what: 'the confirmation email' });
    expect(mail.to).toEqual(['grace.reservation@example.com']);
    expect(mail.parsed.subject).toBe(`Your booking at The Test Kitchen is confirmed (${booking.reference})`);
    const token = /http:\/\/book\.test\/manage\/([A-Za-z0-9_-]{32})/.exec(mail.parsed.text ?? '')?.[1];
    expect(token).toBeDefined();
    expect(mail.parsed.html).toContain(`href="http://book.test/manage/${token}"`);

    // The link works: the guest's view of the booking, and a change through it.
    const view = await t.http.get(`/api/v1/public/bookings/${token}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ reference: booking.reference, status: 'confirmed', date: '2027-09-14', time: '19:00', party_size: 2 });

    // As the booking writer mints it: one token, stored with the booking, its raw value sealed into booking.created.
    const tokens = await tokensOf(booking.id);
    expect(tokens).toEqual([{ token_hash: hashManageToken(token!), created_at: booking.createdAt }]);
    const created = await em().findOneByOrFail(OutboxMessage, { resourceId: booking.id, event: 'booking.created' });
    const sealed = (JSON.parse(created.privateData ?? '{}') as { manage_token?: string }).manage_token;
    expect(sealed).toEqual(expect.any(String));
    expect(t.composed.deps.secretBox.decrypt(sealed!)).toBe(token);
    expect(created.payload).not.toContain(token!); // webhook receivers never see it
  });

  it('a partner that sends its own confirmations: no email, and the booking still has its manage token', async () => {
    const p = await platform(false);
    const booking = await reserve(p, 'MAIL-2', 'ada.reservation@example.com', '20:00');
    expect(await tokensOf(booking.id)).toEqual([{ token_hash: expect.stringMatching(/^[0-9a-f]{64}$/), created_at: booking.createdAt }]);
    // The relay has taken booking.created (and written no email for it).
    await waitFor(async () => (await em().findOneByOrFail(OutboxMessage, { resourceId: booking.id, event: 'booking.created' })).relayedAt !== null, { what: 'the relay' });
    expect(await em().query('SELECT id FROM emails WHERE booking_id = ?', [booking.id])).toEqual([]);
    expect(smtp.received.some((m) => m.to.includes('ada.reservation@example.com'))).toBe(false);
  });
});

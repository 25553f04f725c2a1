import { writeOutbox } from '../../src/modules/outbox/outbox';
import { relayOutboxBatch } from '../../src/modules/events/relay';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';
import { TestSmtpServer, type ReceivedMail } from '../helpers/smtp';
import { createOwnDatabase } from '../outbound/outbound-helpers';
import { book, dayAhead, guestEnv, guestVenue, type GuestVenue } from './guest-helpers';

/**
 * Emails (CONTRACT §10.3) sent to a real SMTP server in the test process. A database of its own: every
 * app's outbox relay takes every venue's rows, and whether an email is sent or kept is the relaying
 * process's SMTP_URL.
 */
describe('emails through a real SMTP server', () => {
  let db: { url: string; drop: () => Promise<void> };
  let smtp: TestSmtpServer;
  let t: TestApp;
  let v: GuestVenue;

  beforeAll(async () => {
    db = await createOwnDatabase();
    smtp = await new TestSmtpServer().start();
    t = await startTestApp(guestEnv({ DATABASE_URL: db.url, SMTP_URL: smtp.url }));
    v = await guestVenue(t);
  });
  afterAll(async () => {
    await t?.stop();
    await smtp?.stop();
    await db?.drop();
  });
  afterEach(() => {
    smtp.refuse = null;
  });

  const api = (method: 'get' | 'post' | 'patch', path: string) => t.http[method](path).set('Authorization', `Bearer ${v.key}`);
  const apiBooking = async (body: Record<string, unknown>) => {
    const res = await api('post', '/api/v1/bookings').send({ date: dayAhead(5), time: '19:00', party_size: 2, customer_name: 'Grace Hopper', ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; reference: string; manage_url: string | null };
  };
  const emailsOf = async (bookingId: string) => (await api('get', `/api/v1/emails?booking_id=${bookingId}`)).body.data as Record<string, any>[];
  const mailFor = (reference: string, subject = ''): ReceivedMail | undefined =>
    smtp.received.find((m) => (m.parsed.subject ?? '').includes(reference) && (m.parsed.subject ?? '').includes(subject));

  it('the confirmation carries the manage link in both parts, comes from MAIL_FROM with a stable Message-ID, and is listed as sent', async () => {
    const b = await apiBooking({ email: 'grace@example.com' });
    expect(b.manage_url).toMatch(/^http:\/\/book\.test\/manage\/[A-Za-z0-9_-]{32}$/);
    const mail = await waitFor(async () => mailFor(b.reference), { what: 'the confirmation email' });
    expect(mail.to).toEqual(['grace@example.com']);
    expect(mail.from).toBe('bookings@mail.test');
    expect(mail.parsed.subject).toBe(`Your booking at The Test Kitchen is confirmed (${b.reference})`);
    expect(mail.parsed.text).toContain(b.manage_url);
    expect(mail.parsed.html).toContain(`href="${b.manage_url}"`);
    expect(mail.parsed.text).toContain('19:00');
    expect(mail.parsed.text).toMatch(/24 hours before/);

    const [listed] = await waitFor(async () => {
      const list = await emailsOf(b.id);
      return list.length && list[0]!.status === 'sent' ? list : null;
    });
    expect(listed).toMatchObject({ to: 'grace@example.com', kind: 'booking_confirmed', status: 'sent', booking_id: b.id, attempts: 1 });
    expect(mail.messageId).toBe(listed!.message_id);
    const detail = (await api('get', `/api/v1/emails/${listed!.id}`)).body;
    expect(detail.text).toContain(b.manage_url);
    expect(detail.html).toContain('<!doctype html>');
    expect(detail.attempt_log).toEqual([expect.objectContaining({ attempt: 1, outcome: 'sent', smtp_code: 250 })]);
  });

  it('a server refusing with 451 for a while gets the email later, exactly once, with the same Message-ID; every attempt is logged', async () => {
    const refusedBefore = smtp.attempts;
    smtp.refuse = (n, session) => (n - refusedBefore <= 2 && session.envelope.rcptTo.some((r) => r.address === 'later@example.com')
      ? { code: 451, message: 'Try again later' } : null);
    const b = await apiBooking({ email: 'later@example.com', time: '19:30' });
    const [email] = await waitFor(async () => {
      const list = await emailsOf(b.id);
      return list.length && list[0]!.status === 'sent' ? list : null;
    }, { timeoutMs: 15_000, what: 'the email sent after the refusals' });
    expect(email!.attempts).toBe(3);
    const copies = smtp.received.filter((m) => m.to.includes('later@example.com'));
    expect(copies).toHaveLength(1);
    expect(copies[0]!.messageId).toBe(email!.message_id);
    const detail = (await api('get', `/api/v1/emails/${email!.id}`)).body;
    expect(detail.attempt_log.map((a: any) => [a.outcome, a.smtp_code])).toEqual([['retry', 451], ['retry', 451], ['sent', 250]]);
  });

  it('a permanent refusal (550) ends the email failed after one attempt, and the booking stands', async () => {
    smtp.refuse = (_n, session) => (session.envelope.rcptTo.some((r) => r.address === 'nobody@example.com') ? { code: 550, message: 'No such user' } : null);
    const b = await apiBooking({ email: 'nobody@example.com', time: '20:00' });
    const [email] = await waitFor(async () => {
      const list = await emailsOf(b.id);
      return list.length && list[0]!.status === 'failed' ? list : null;
    }, { what: 'the failed email' });
    expect(email).toMatchObject({ attempts: 1, status: 'failed', sent_at: null });
    expect(email!.last_error).toMatch(/No such user/);
    expect((await api('get', `/api/v1/bookings/${b.id}`)).body.status).toBe('confirmed');
  });

  it('a move sends booking_moved with a working link, a cancellation booking_cancelled; a party-size change alone and a booking without email send none', async () => {
    const b = await apiBooking({ email: 'move@example.com', time: '18:00' });
    await waitFor(async () => mailFor(b.reference, 'confirmed'));
    expect((await api('patch', `/api/v1/bookings/${b.id}`).send({ party_size: 3 })).status).toBe(200);
    expect((await api('patch', `/api/v1/bookings/${b.id}`).send({ time: '21:00' })).status).toBe(200);
    const moved = await waitFor(async () => mailFor(b.reference, 'has moved'), { what: 'the moved email' });
    expect(moved.parsed.text).toContain('21:00');
    expect(moved.parsed.text).toMatch(/it was .*18:00/);
    const link = /http:\/\/book\.test\/manage\/([A-Za-z0-9_-]{32})/.exec(moved.parsed.text ?? '')![1]!;
    const view = await t.http.get(`/api/v1/public/bookings/${link}`);
    expect(view.body).toMatchObject({ reference: b.reference, time: '21:00', party_size: 3 });

    expect((await api('patch', `/api/v1/bookings/${b.id}`).send({ status: 'cancelled' })).status).toBe(200);
    await waitFor(async () => mailFor(b.reference, 'cancelled'), { what: 'the cancellation email' });
    const kinds = (await waitFor(async () => {
      const list = await emailsOf(b.id);
      return list.length === 3 ? list : null;
    })).map((e) => e.kind).sort();
    expect(kinds).toEqual(['booking_cancelled', 'booking_confirmed', 'booking_moved']);

    const silent = await apiBooking({ phone: '+44 7911 123456', time: '21:30' });
    expect(silent.manage_url).toBeNull();
    // The relay has passed this booking's outbox row once the next booking's email is there.
    const next = await apiBooking({ email: 'after@example.com', time: '17:00' });
    await waitFor(async () => (await emailsOf(next.id)).length > 0);
    expect(await emailsOf(silent.id)).toEqual([]);
  });

  it('a widget booking gets its confirmation with the manage_url it answered', async () => {
    const res = await book(t, v.slug, { date: dayAhead(6), email: 'widget@example.com', name: 'Widget Guest' });
    expect(res.status).toBe(201);
    const mail = await waitFor(async () => mailFor(res.body.reference), { what: 'the widget confirmation' });
    expect(mail.parsed.text).toContain(res.body.manage_url);
    expect(mail.parsed.text).toMatch(/^Hello Widget,/);
  });

  it('a move and a cancellation on the manage link email the guest too (booking_moved, booking_cancelled), each with a working link', async () => {
    const res = await book(t, v.slug, { date: dayAhead(7), time: '18:15', email: 'self-service@example.com', name: 'Sam Self' }).expect(201);
    const token = res.body.manage_url.split('/manage/')[1] as string;
    await waitFor(async () => mailFor(res.body.reference, 'confirmed'), { what: 'the confirmation' });
    await t.http.patch(`/api/v1/public/bookings/${token}`).send({ time: '20:30' }).expect(200);
    const moved = await waitFor(async () => smtp.received.find((m) => m.to.includes('self-service@example.com') && m.parsed.text?.includes('20:30') && !/confirmed/.test(m.parsed.subject ?? '')), { what: 'the moved email' });
    await t.http.delete(`/api/v1/public/bookings/${token}`).expect(200);
    const cancelled = await waitFor(async () => mailFor(res.body.reference, 'cancelled'), { what: 'the cancelled email' });
    for (const mail of [moved, cancelled]) {
      const link = /http:\/\/book\.test\/manage\/([A-Za-z0-9_-]{32})/.exec(mail.parsed.text ?? '')![1]!;
      expect((await t.http.get(`/api/v1/public/bookings/${link}`).expect(200)).body.reference).toBe(res.body.reference);
    }
    const listed = (await t.http.get('/api/v1/emails?kind=booking_moved').set('Authorization', `Bearer ${v.key}`)).body.data as { to: string }[];
    expect(listed.filter((e) => e.to === 'self-service@example.com')).toHaveLength(1);
    // Confirmed, moved, cancelled: one each.
    expect(smtp.received.filter((m) => m.to.includes('self-service@example.com'))).toHaveLength(3);
  });

  it('a request\'s emails carry the manage link minted at its creation (widget and API alike); the venue is told at notification_email', async () => {
    const venue = await guestVenue(t);
    await t.admin('patch', `/admin/v1/venues/${venue.id}`).send({ settings: { max_instant_party_size: 2, notification_email: 'host@venue.example' } }).expect(200);
    const widget = await book(t, venue.slug, { date: dayAhead(6), time: '18:30', party_size: 4, email: 'widget-request@example.com', name: 'Rae Request' });
    expect(widget.status).toBe(201);
    expect(widget.body.status).toBe('requested');
    const viaApi = await t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${venue.key}`)
      .send({ date: dayAhead(6), time: '20:30', party_size: 2, customer_name: 'Ira Api', email: 'api-request@example.com', request: true });
    expect(viaApi.status).toBe(201);
    expect(viaApi.body.status).toBe('requested');

    for (const [made, to] of [[widget.body, 'widget-request@example.com'], [viaApi.body, 'api-request@example.com']] as const) {
      const mail = await waitFor(async () => mailFor(made.reference, 'We have your request'), { what: `the request_received email to ${to}` });
      expect(mail.to).toEqual([to]);
      expect(mail.parsed.text).toContain(made.manage_url);
      expect(mail.parsed.html).toContain(`href="${made.manage_url}"`);
      // The link answered at creation is the one the email carries: no second token was minted for it.
      const ds = t.composed.deps.dataSource;
      const [{ n }] = (await ds.query(
        'SELECT COUNT(*) AS n FROM booking_manage_tokens t JOIN bookings b ON b.id = t.booking_id WHERE b.reference = ?', [made.reference],
      )) as { n: string | number }[];
      expect(Number(n)).toBe(1);
      const waiting = await waitFor(async () => smtp.received.find((m) => m.to.includes('host@venue.example') && (m.parsed.subject ?? '').includes(made.reference)), { what: 'request_waiting' });
      expect(waiting.parsed.subject).toMatch(/New booking request/);
      expect(waiting.parsed.text).not.toContain('/manage/');
    }
    const listed = (await t.http.get('/api/v1/emails?kind=request_received').set('Authorization', `Bearer ${venue.key}`)).body.data as Record<string, any>[];
    expect(listed.map((e) => e.to).sort()).toEqual(['api-request@example.com', 'widget-request@example.com']);
  });

  it('request events of the outbox (§11) email the guest: received, approved, declined, expired', async () => {
    const b = await apiBooking({ email: 'request@example.com', time: '17:30', date: dayAhead(7) });
    const view = (await api('get', `/api/v1/bookings/${b.id}`)).body;
    const ds = t.composed.deps.dataSource;
    for (const [event, status] of [['booking.requested', 'requested'], ['booking.approved', 'confirmed'], ['booking.declined', 'declined'], ['booking.expired', 'expired']] as const) {
      await writeOutbox(ds.manager, { venueId: v.id, event: event as never, resourceId: b.id, resourceVersion: 2, data: { ...view, status, decline_reason: 'Fully booked that evening' } });
    }
    const subjects = ['We have your request', 'has confirmed your booking', 'could not accept your request', 'has lapsed'];
    for (const s of subjects) await waitFor(async () => mailFor(b.reference, s), { what: `the "${s}" email` });
    expect(mailFor(b.reference, 'could not accept')!.parsed.text).toContain('Fully booked that evening');
    expect(mailFor(b.reference, 'We have your request')!.parsed.text).toMatch(/manage\/[A-Za-z0-9_-]{32}/);
  });

  it('the door queues an email inside the caller\'s transaction: none when it rolls back', async () => {
    const b = await apiBooking({ email: 'door@example.com', time: '18:30', date: dayAhead(8) });
    const ds = t.composed.deps.dataSource;
    const notifications = t.composed.deps.notifications;
    await ds.transaction(async (em) => {
      await notifications.queueEmail(em, { venueId: v.id, kind: 'review_invitation', bookingId: b.id, link: 'http://book.test/review/kept-secret-rolled-back' });
      throw new Error('rolled back');
    }).catch(() => undefined);
    await ds.transaction((em) => notifications.queueEmail(em, { venueId: v.id, kind: 'review_invitation', bookingId: b.id, link: 'http://book.test/review/R3v1ewT0ken' }));
    const mail = await waitFor(async () => smtp.received.find((m) => m.to.includes('door@example.com') && /How was your visit/.test(m.parsed.subject ?? '')));
    expect(mail.parsed.text).toContain('http://book.test/review/R3v1ewT0ken');
    const stored = (await ds.query("SELECT private_data FROM outbox WHERE event = 'email.requested'")) as { private_data: string }[];
    for (const row of stored) expect(row.private_data).not.toContain('R3v1ewT0ken');
    expect(smtp.received.filter((m) => m.parsed.text?.includes('rolled-back'))).toEqual([]);
  });

  it('a completed visit brings the review invitation (the reviews feature\'s, through the door) with its link', async () => {
    const b = await apiBooking({ email: 'review@example.com', time: '17:15', date: dayAhead(10) });
    for (const status of ['seated', 'completed']) expect((await api('patch', `/api/v1/bookings/${b.id}`).send({ status })).status).toBe(200);
    const mail = await waitFor(async () => smtp.received.find((m) => m.to.includes('review@example.com') && /How was your visit/.test(m.parsed.subject ?? '')), { what: 'the review invitation' });
    const link = /http:\/\/book\.test\/review\/([A-Za-z0-9_-]+)/.exec(mail.parsed.text ?? '')![1]!;
    expect((await t.http.post(`/api/v1/public/reviews/${link}`).send({ rating: 5, title: 'Lovely' })).status).toBe(201);
    const kinds = (await emailsOf(b.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'review_invitation')).toHaveLength(1);
  });

  it('venue emails go to notification_email (none while it is null), guest emails carry the venue\'s reply_to', async () => {
    const venue = await guestVenue(t);
    const enquire = () => t.http.post(`/api/v1/public/venues/${venue.slug}/enquiries`)
      .send({ name: 'Eve Enquirer', email: 'eve@example.com', party_size: 30, date: dayAhead(20), message: 'Thirty for a <b>birthday</b>?' });
    await enquire().expect(201);
    await t.admin('patch', `/admin/v1/venues/${venue.id}`).send({ settings: { notification_email: 'desk@venue.example', reply_to: 'hello@venue.example' } }).expect(200);
    await enquire().expect(201);
    const mail = await waitFor(async () => smtp.received.find((m) => m.to.includes('desk@venue.example') && /New enquiry/.test(m.parsed.subject ?? '')), { what: 'the enquiry email' });
    expect(mail.parsed.replyTo?.text).toBe('eve@example.com');
    expect(mail.parsed.text).toContain('Thirty for a <b>birthday</b>?');
    expect(mail.parsed.html).toContain('Thirty for a &lt;b&gt;birthday&lt;/b&gt;?');
    const listed = (await t.http.get('/api/v1/emails?kind=enquiry_received').set('Authorization', `Bearer ${venue.key}`)).body.data;
    expect(listed).toHaveLength(1);

    const guestBooking = await t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${venue.key}`)
      .send({ date: dayAhead(5), time: '19:00', party_size: 2, customer_name: 'Rita Reply', email: 'rita@example.com' }).expect(201);
    const confirmation = await waitFor(async () => mailFor(guestBooking.body.reference, 'confirmed'));
    expect(confirmation.parsed.replyTo?.text).toBe('hello@venue.example');

    const view = (await t.http.get(`/api/v1/bookings/${guestBooking.body.id}`).set('Authorization', `Bearer ${venue.key}`)).body;
    await writeOutbox(t.composed.deps.dataSource.manager, { venueId: venue.id, event: 'booking.requested' as never, resourceId: view.id, resourceVersion: 2, data: { ...view, status: 'requested' } });
    const waiting = await waitFor(async () => smtp.received.find((m) => m.to.includes('desk@venue.example') && /New booking request/.test(m.parsed.subject ?? '')), { what: 'request_waiting' });
    expect(waiting.parsed.text).toContain('Rita Reply');
    expect(waiting.parsed.text).toContain('http://book.test/app/diary?date=');
    expect(waiting.parsed.replyTo?.text).toBe('rita@example.com');
  });

  it('a booking from a partner whose send_confirmation is false gets no guest email; other partners\' bookings do', async () => {
    const quiet = `quiet-${Date.now().toString(36)}`;
    const loud = `loud-${Date.now().toString(36)}`;
    await t.admin('post', '/admin/v1/partners').send({ name: quiet, signature: { scheme: 'hmac-sha256-hex' }, send_confirmation: false }).expect(201);
    await t.admin('post', '/admin/v1/partners').send({ name: loud, signature: { scheme: 'hmac-sha256-hex' } }).expect(201);
    const made: Record<string, string> = {};
    for (const [partner, time] of [[quiet, '17:45'], [loud, '18:15']] as const) {
      const b = await apiBooking({ email: `${partner}@example.com`, time, date: dayAhead(11) });
      made[partner] = b.reference;
      // The API booking's own confirmation is sent first (the relay may be quick), then its row is cleared for the re-relay.
      await waitFor(async () => smtp.received.filter((m) => m.to.includes(`${partner}@example.com`)).length === 1, { what: `${partner}'s API confirmation` });
      const view = (await api('get', `/api/v1/bookings/${b.id}`)).body;
      await t.composed.deps.dataSource.query('DELETE FROM emails WHERE booking_id = ?', [b.id]);
      await writeOutbox(t.composed.deps.dataSource.manager, { venueId: v.id, event: 'booking.created', resourceId: b.id, resourceVersion: 1, data: { ...view, source: partner } });
    }
    await waitFor(async () => smtp.received.filter((m) => m.to.includes(`${loud}@example.com`)).length === 2, { what: 'the loud partner\'s second confirmation' });
    await waitFor(async () => (await t.composed.deps.dataSource.query("SELECT id FROM outbox WHERE relayed_at IS NULL")).length === 0);
    expect(smtp.received.filter((m) => m.to.includes(`${quiet}@example.com`))).toHaveLength(1);
  });

  it('a venue\'s emails carry only its own data, also when two venues\' emails are rendered in one pass; a door request naming another venue\'s booking writes none', async () => {
    const ds = t.composed.deps.dataSource;
    const mk = async (name: string, tz: string, country: string, currency: string, policy: string, reply: string, accent: string) => {
      const venue = await guestVenue(t, { name, timezone: tz, country, currency });
      await t.admin('patch', `/admin/v1/venues/${venue.id}`).send({ settings: { policies_text: policy, reply_to: reply, theme: { accent }, cancellation_hours: name.length } }).expect(200);
      return venue;
    };
    const london = await mk('Albion Rooms', 'Europe/London', 'GB', 'GBP', 'Albion policy: jackets please.', 'albion@venue.example', '#a1b2c3');
    const york = await mk('Hudson Grill House', 'America/New_York', 'US', 'USD', 'Hudson policy: no strollers.', 'hudson@venue.example', '#0d0e0f');
    const made: { venue: GuestVenue; guest: string; id: string; reference: string }[] = [];
    for (const [venue, guest] of [[london, 'Alice Albion'], [york, 'Harry Hudson']] as const) {
      const res = await t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${venue.key}`)
        .send({ date: dayAhead(12), time: '18:45', party_size: 2, customer_name: guest, email: `${guest.split(' ')[0]!.toLowerCase()}@guest.example`, notes: `${guest} notes` }).expect(201);
      made.push({ venue, guest, id: res.body.id as string, reference: res.body.reference as string });
    }
    const mailsOf = (reference: string) => smtp.received.filter((m) => (m.parsed.subject ?? '').includes(reference));
    await waitFor(async () => made.every((b) => mailsOf(b.reference).length === 1), { what: 'both confirmations' });
    // Again, both in one relay pass: their rows un-relayed in one statement, their emails gone.
    await ds.query('DELETE FROM emails WHERE booking_id IN (?)', [made.map((b) => b.id)]);
    await ds.query('UPDATE outbox SET relayed_at = NULL WHERE resource_id IN (?)', [made.map((b) => b.id)]);
    await waitFor(async () => made.every((b) => mailsOf(b.reference).length === 2), { what: 'both confirmations again' });
    for (const [mine, theirs] of [[made[0]!, made[1]!], [made[1]!, made[0]!]]) {
      const ownName = String(mine.venue.body.name);
      const otherName = String(theirs.venue.body.name);
      for (const mail of mailsOf(mine.reference)) {
        const all = `${mail.raw}\n${mail.parsed.text}\n${mail.parsed.html}`;
        expect(mail.parsed.subject).toContain(ownName);
        expect(mail.parsed.text).toContain(ownName === 'Albion Rooms' ? 'Albion policy: jackets please.' : 'Hudson policy: no strollers.');
        expect(mail.parsed.text).toContain(`${ownName.length} hours before`);
        expect(mail.parsed.replyTo?.text).toBe(ownName === 'Albion Rooms' ? 'albion@venue.example' : 'hudson@venue.example');
        expect(mail.parsed.html).toContain(ownName === 'Albion Rooms' ? '#a1b2c3' : '#0d0e0f');
        // US venues write 6:45 PM, British ones 18:45.
        expect(mail.parsed.text).toContain(ownName === 'Albion Rooms' ? '18:45' : '6:45');
        for (const foreign of [otherName, theirs.guest, theirs.reference, `${theirs.guest} notes`, otherName === 'Albion Rooms' ? 'Albion' : 'Hudson',
          otherName === 'Albion Rooms' ? '#a1b2c3' : '#0d0e0f', otherName === 'Albion Rooms' ? 'albion@' : 'hudson@', theirs.venue.slug]) {
          expect(`${mine.reference}: ${all.includes(foreign) ? foreign : ''}`).toBe(`${mine.reference}: `);
        }
      }
    }
    // The door: a request of one venue naming the other's booking brings no email (and a later one is the barrier).
    await ds.transaction((em) => t.composed.deps.notifications.queueEmail(em, { venueId: london.id, kind: 'review_invitation', bookingId: made[1]!.id, link: 'http://book.test/review/CrossVenue0000' }));
    await ds.transaction((em) => t.composed.deps.notifications.queueEmail(em, { venueId: london.id, kind: 'review_invitation', bookingId: made[0]!.id, link: 'http://book.test/review/OwnVenue00000' }));
    await waitFor(async () => smtp.received.find((m) => m.parsed.text?.includes('OwnVenue00000')), { what: 'the barrier invitation' });
    await waitFor(async () => (await ds.query("SELECT id FROM outbox WHERE relayed_at IS NULL AND event = 'email.requested'")).length === 0);
    expect(smtp.received.filter((m) => m.parsed.text?.includes('CrossVenue0000') || m.to.includes('harry@guest.example') && /How was your visit/.test(m.parsed.subject ?? ''))).toEqual([]);
    expect(Number((await ds.query("SELECT COUNT(*) AS n FROM emails WHERE booking_id = ? AND kind = 'review_invitation'", [made[1]!.id]))[0].n)).toBe(0);
  });

  it('relaying the same outbox rows again writes no second email', async () => {
    const b = await apiBooking({ email: 'twice@example.com', time: '19:15', date: dayAhead(9) });
    await waitFor(async () => (await emailsOf(b.id))[0]?.status === 'sent', { what: 'the first send' });
    const ds = t.composed.deps.dataSource;
    await ds.query('UPDATE outbox SET relayed_at = NULL WHERE resource_id = ?', [b.id]);
    await waitFor(async () => {
      const rows = (await ds.query('SELECT relayed_at FROM outbox WHERE resource_id = ?', [b.id])) as { relayed_at: Date | null }[];
      return rows.every((r) => r.relayed_at !== null);
    });
    await relayOutboxBatch({
      dataSource: ds, sessionPool: t.composed.deps.sessionPool, queue: t.composed.deps.queues.webhookDeliveries, schedule: { baseMs: 100, factor: 2, maxMs: 400, attempts: 4, jitter: 0 },
      redis: t.composed.deps.redis, keyPrefix: t.composed.deps.keyPrefix, emails: t.composed.deps.notifications,
    });
    expect(await emailsOf(b.id)).toHaveLength(1);
    // A later email sent is the barrier: anything queued again for the first would have gone before it.
    const later = await apiBooking({ email: 'barrier@example.com', time: '19:45', date: dayAhead(9) });
    await waitFor(async () => (await emailsOf(later.id))[0]?.status === 'sent', { what: 'the barrier email' });
    expect(smtp.received.filter((m) => m.to.includes('twice@example.com'))).toHaveLength(1);
  });
});

describe('emails without SMTP_URL', () => {
  let t: TestApp;
  let db: { url: string; drop: () => Promise<void> };
  // A database of its own: on the run's shared one, another file's relay (another PUBLIC_URL) could render these emails.
  beforeAll(async () => {
    db = await createOwnDatabase();
    t = await startTestApp(guestEnv({ DATABASE_URL: db.url }));
  });
  afterAll(async () => {
    await t.stop();
    await db.drop();
  });

  it('are kept, not sent, and visible with their text in GET /api/v1/emails (scope customers:read)', async () => {
    const v = await guestVenue(t);
    const res = await book(t, v.slug, { date: dayAhead(4), email: 'kept@example.com' });
    expect(res.status).toBe(201);
    const list = await waitFor(async () => {
      const r = await t.http.get('/api/v1/emails').set('Authorization', `Bearer ${v.key}`);
      return r.body.data?.length ? r.body : null;
    }, { what: 'the kept email' });
    expect(list.data[0]).toMatchObject({ to: 'kept@example.com', kind: 'booking_confirmed', status: 'kept', attempts: 0, sent_at: null });
    expect(list.next_cursor).toBeNull();
    const detail = await t.http.get(`/api/v1/emails/${list.data[0].id}`).set('Authorization', `Bearer ${v.key}`);
    expect(detail.body.text).toContain(res.body.manage_url);
    expect(detail.body.html).toContain(res.body.manage_url);

    const other = await guestVenue(t);
    expect((await t.http.get(`/api/v1/emails/${list.data[0].id}`).set('Authorization', `Bearer ${other.key}`)).status).toBe(404);
    expect((await t.http.get('/api/v1/emails').set('Authorization', `Bearer ${other.key}`)).body.data).toEqual([]);
  });
});

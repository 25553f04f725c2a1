import { EmailSender, type OutgoingEmail } from '../../src/modules/notifications/email-sender';
import { freePort } from '../helpers/private-redis';
import { TestSmtpServer } from '../helpers/smtp';

/**
 * What one send attempt reports to the retry rule (CONTRACT §15 §10.3), against a real SMTP server: a server
 * that stops answering (a timeout) and one that cannot be reached are temporary, like a 4yz; a 5yz is not.
 * (The rule itself — retry on the schedule, `failed` on a permanent one — is test/guests/emails.test.ts's.)
 */
describe('one SMTP attempt', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await new TestSmtpServer().start();
  });
  afterAll(() => smtp.stop());
  afterEach(() => {
    smtp.hang = false;
    smtp.refuse = null;
  });

  const email = (n: number): OutgoingEmail => ({
    from: 'bookings@mail.test', to: `guest${n}@example.com`, replyTo: null, subject: `Mail ${n}`, text: 'Hello', html: '<p>Hello</p>',
    messageId: `<eml_sender${n}@mail.test>`, date: new Date(), emailId: `eml_sender${n}`,
  });

  it('a server that stops answering times out: temporary, tried again later; then the same message goes through once', async () => {
    const sender = new EmailSender(smtp.url, { timeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 700 } });
    try {
      smtp.hang = true;
      const hung = await sender.send(email(1));
      expect(hung).toMatchObject({ ok: false, retryable: true, code: null });
      expect(hung.response).toMatch(/timeout|timed out/i);
      expect(hung.durationMs).toBeGreaterThanOrEqual(600);
      expect(smtp.received).toHaveLength(0);
      smtp.hang = false;
      expect(await sender.send(email(1))).toMatchObject({ ok: true, code: 250, retryable: false });
      expect(smtp.received.filter((m) => m.messageId === '<eml_sender1@mail.test>')).toHaveLength(1);
    } finally {
      sender.close();
    }
  });

  it('a server that cannot be reached is temporary; a 451 is temporary; a 550 is permanent', async () => {
    const nowhere = new EmailSender(`smtp://127.0.0.1:${await freePort()}`, { timeouts: { connectionMs: 2000 } });
    try {
      expect(await nowhere.send(email(2))).toMatchObject({ ok: false, retryable: true, code: null });
    } finally {
      nowhere.close();
    }
    const sender = new EmailSender(smtp.url);
    try {
      smtp.refuse = () => ({ code: 451, message: 'Try again later' });
      expect(await sender.send(email(3))).toMatchObject({ ok: false, retryable: true, code: 451 });
      smtp.refuse = () => ({ code: 550, message: 'No such user' });
      const refused = await sender.send(email(4));
      expect(refused).toMatchObject({ ok: false, retryable: false, code: 550 });
      expect(refused.response).toMatch(/No such user/);
    } finally {
      sender.close();
    }
  });
});

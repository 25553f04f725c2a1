import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { createDataSource, ensureDatabase, parseDatabaseUrl } from '../../src/platform/db/data-source';

describe('migrations', () => {
  it('run up from an empty database, all the way down, and up again', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/tablesync_mig_${randomBytes(4).toString('hex')}`;
    await ensureDatabase(url.toString());
    const ds = await createDataSource(url.toString(), { poolSize: 1 }).initialize();
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      expect(applied.map((m) => m.name)).toEqual(['InitialSchema1764000000000', 'DiaryDays1765000000000', 'InboundEventsStatusIndex1766000000000', 'TableAliasesAndOutcomes1767000000000', 'People1767100000000', 'VenueSettings1767200000000', 'AnalyticsIndexes1767300000000', 'GuestsManageTokensEmailsEnquiries1767400000000', 'ReservationBookings1767500000000', 'MappingLiveTemplateAndEventHeaders1767600000000', 'RequestsAndChannels1767700000000', 'Reviews1767800000000']);
      const tables = (await ds.query('SHOW TABLES')) as Record<string, string>[];
      const names = tables.map((r) => Object.values(r)[0]);
      for (const t of ['venues', 'bookings', 'sales', 'sale_items', 'partners', 'inbound_events', 'api_keys', 'outbox', 'idempotency_records', 'users', 'invites', 'channels', 'channel_api_keys', 'channel_grants', 'booking_manage_tokens', 'emails', 'email_attempts', 'enquiries', 'reviews', 'review_invitations']) {
        expect(names).toContain(t);
      }
      const idx = (await ds.query("SHOW INDEX FROM sales WHERE Key_name = 'uq_sales_partner_sale'")) as unknown[];
      expect(idx.length).toBe(2);
      for (let i = 0; i < applied.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      const after = (await ds.query('SHOW TABLES')) as unknown[];
      expect(after.length).toBe(1); // only the migrations table
      expect(await ds.runMigrations({ transaction: 'each' })).toHaveLength(applied.length);
    } finally {
      await ds.destroy();
      const p = parseDatabaseUrl(url.toString());
      const conn = await mysql.createConnection({ host: p.host, port: p.port, user: p.username, password: p.password });
      await conn.query(`DROP DATABASE IF EXISTS \`${p.database}\``);
      await conn.end();
    }
  });
});

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MappingVersion, Partner } from '../../src/platform/db/entities';
import { syncFileMappings } from '../../src/modules/partners/mapping/mapping-store';
import { createLogger } from '../../src/platform/logger';
import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  signedPost,
  startHubApp,
  type HubApp,
  type TestPartner,
  waitForEvent,
} from '../helpers/partner';
import { uniq } from '../helpers/test-app';

describe('admin API: mappings, event log, file mappings (CONTRACT §3)', () => {
  let t: HubApp;
  beforeAll(async () => {
    t = await startHubApp(); // no worker until a test starts one
  });
  afterAll(() => t.stop());

  describe('mappings', () => {
    let p: TestPartner;
    beforeAll(async () => {
      p = await createTestPartner(t);
    });

    it('publishes versions (201 {event_type, version}) and lists the live one per event type', async () => {
      const v1 = await t.admin('put', `/admin/v1/partners/${p.name}/mappings/sale.updated`).send({ expression: '[]' });
      expect(v1.status).toBe(201);
      expect(v1.body).toMatchObject({ event_type: 'sale.updated', version: 1, expression: '[]', source: 'api' });
      const v2 = await t.admin('put', `/admin/v1/partners/${p.name}/mappings/sale.updated`).send({ expression: SALE_MAPPING });
      expect(v2.body.version).toBe(2);
      const fallback = await t.admin('put', `/admin/v1/partners/${p.name}/mappings/*`).send({ expression: '[]' });
      expect(fallback.body).toMatchObject({ event_type: '*', version: 1 });

      const list = await t.admin('get', `/admin/v1/partners/${p.name}/mappings`);
      expect(list.status).toBe(200);
      expect(list.body.next_cursor).toBeNull();
      expect(list.body.data.map((m: { event_type: string; version: number }) => [m.event_type, m.version])).toEqual([
        ['*', 1],
        ['sale.updated', 2],
      ]);
      // Older versions are kept.
      const partner = await t.composed.deps.dataSource.manager.findOneByOrFail(Partner, { name: p.name });
      expect(await t.composed.deps.dataSource.manager.countBy(MappingVersion, { partnerId: partner.id, eventType: 'sale.updated' })).toBe(2);
    });

    it('refuses an expression that does not compile with 400 invalid_mapping, position and token', async () => {
      const res = await t.admin('put', `/admin/v1/partners/${p.name}/mappings/sale.updated`).send({ expression: '{"total": sale.total +}' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_mapping');
      expect(res.body.error.details).toMatchObject({ position: expect.any(Number), token: expect.anything() });
      expect((await t.admin('get', `/admin/v1/partners/${p.name}/mappings`)).body.data.find((m: { event_type: string }) => m.event_type === 'sale.updated').version).toBe(2);
      expect((await t.admin('put', `/admin/v1/partners/${p.name}/mappings/x`).send({})).status).toBe(400);
      expect((await t.admin('put', '/admin/v1/partners/no-such-partner/mappings/x').send({ expression: '[]' })).status).toBe(404);
    });

    it('dry-runs a payload through the live mapping or a given expression, storing nothing', async () => {
      const partner = await t.composed.deps.dataSource.manager.findOneByOrFail(Partner, { name: p.name });
      const versionsBefore = await t.composed.deps.dataSource.manager.countBy(MappingVersion, { partnerId: partner.id });
      const live = await t.admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/test`).send({ payload: saleEvent({ id: 'T-1' }) });
      expect(live.status).toBe(200);
      expect(live.body.errors).toEqual([]);
      expect(live.body.output).toEqual([expect.objectContaining({ type: 'sale', sale_id: 'T-1', total: 4250, location_id: 'loc-1' })]);

      const bad = await t.admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/test`).send({
        payload: { id: 1 },
        expression: '{"type": "sale", "location_id": "x", "sale_id": id, "status": "gone", "total": 1, "currency": "GBP"}',
      });
      expect(bad.status).toBe(200);
      expect(bad.body.errors).toEqual([expect.objectContaining({ index: 0, path: '/status' })]);

      // A string payload is the raw body: ids beyond 2^53 keep every digit.
      const big = await t.admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/test`).send({
        payload: '{"location_id": 9765040300495493123, "sale": {"id": 1, "status": "closed", "total": 1, "currency": "GBP"}}',
      });
      expect(big.body.output[0].location_id).toBe('9765040300495493123');

      const fails = await t.admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/test`).send({ payload: {}, expression: '$error("nope")' });
      expect(fails.status).toBe(422);
      expect(fails.body.error.code).toBe('mapping_failed');
      const notCompiling = await t.admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/test`).send({ payload: {}, expression: '(' });
      expect(notCompiling.body.error.code).toBe('invalid_mapping');
      expect((await t.admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/test`).send({ payload: '{oops' })).body.error.code).toBe('invalid_payload');
      expect(await t.composed.deps.dataSource.manager.countBy(MappingVersion, { partnerId: partner.id })).toBe(versionsBefore);
    });
  });

  describe('event log', () => {
    it('lists events newest first, queued ones straight from the queue, with status filter and cursor', async () => {
      const venueId = (await createVenue(t)).id;
      const p = await createTestPartner(t);
      await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
      await linkLocation(t, p.name, 'loc-1', venueId);
      const ids: string[] = [];
      for (const location of ['loc-1', 'loc-x', 'loc-1']) {
        const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: uniq('S'), location_id: location }));
        ids.push(res.body.event_id);
      }
      const queued = await t.admin('get', `/admin/v1/partners/${p.name}/events`);
      expect(queued.status).toBe(200);
      expect(queued.body.data.map((e: { id: string }) => e.id)).toEqual([...ids].reverse());
      expect(queued.body.data[0]).toEqual({
        id: ids[2], partner: p.name, event_type: 'sale.updated', status: 'queued', reason: null, sale_id: expect.any(String),
        attempts: 0, received_at: expect.any(String), processed_at: null,
      });
      const early = await t.admin('post', `/admin/v1/events/${ids[0]}/replay`);
      expect(early.status).toBe(409);

      const worker = t.startWorker();
      try {
        await Promise.all(ids.map((id) => waitForEvent(t, id)));
      } finally {
        await worker.close();
      }
      const page1 = await t.admin('get', `/admin/v1/partners/${p.name}/events?limit=2`);
      expect(page1.body.data.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
      expect(page1.body.data[1]).toMatchObject({ status: 'ignored', reason: 'unknown location loc-x', attempts: 1, processed_at: expect.any(String) });
      const page2 = await t.admin('get', `/admin/v1/partners/${p.name}/events?limit=2&cursor=${page1.body.next_cursor}`);
      expect(page2.body).toEqual({ data: [expect.objectContaining({ id: ids[0], status: 'processed' })], next_cursor: null });

      const ignored = await t.admin('get', `/admin/v1/partners/${p.name}/events?status=ignored`);
      expect(ignored.body.data.map((e: { id: string }) => e.id)).toEqual([ids[1]]);
      expect((await t.admin('get', `/admin/v1/partners/${p.name}/events?status=lost`)).status).toBe(400);
      expect((await t.admin('get', `/admin/v1/partners/${p.name}/events?cursor=garbage!`)).status).toBe(400);
      expect((await t.admin('get', '/admin/v1/partners/no-such-partner/events')).status).toBe(404);

      const detail = await t.admin('get', `/admin/v1/events/${ids[0]}`);
      expect(detail.body).toMatchObject({
        id: ids[0], status: 'processed', mapping_version: 1, errors: [],
        raw_payload: expect.stringContaining('"location_id":"loc-1"'),
        output: expect.objectContaining({ type: 'sale', location_id: 'loc-1' }),
      });
      expect((await t.admin('get', '/admin/v1/events/evt_nope')).status).toBe(404);
    });
  });

  describe('file mappings', () => {
    let dir: string;
    const logger = createLogger('silent');
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'mappings-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('installs file partners marked "install": true without a secret (disabled) and loads their mappings; a PUT wins over later file edits', async () => {
      const name = uniq('filepos');
      const partnerDir = join(dir, name);
      mkdirSync(partnerDir);
      writeFileSync(join(partnerDir, 'partner.json'), JSON.stringify({ install: true, adapter: 'generic', signature: { scheme: 'hmac-sha256-hex' }, ack: 'processed' }));
      writeFileSync(join(partnerDir, 'sale.updated.jsonata'), SALE_MAPPING);
      writeFileSync(join(partnerDir, '_fallback.jsonata'), '[]');
      writeFileSync(join(partnerDir, 'broken.jsonata'), '{"a": }');
      const { dataSource, secretBox } = t.composed.deps;
      const sync = () => syncFileMappings(dataSource, secretBox, logger, dir);

      const first = await sync();
      expect(first.partnersCreated).toEqual([name]);
      expect(first.versionsWritten.sort()).toEqual([`${name}/*@1`, `${name}/sale.updated@1`]);
      expect(first.skipped).toEqual([expect.stringContaining('broken.jsonata')]);
      const partner = await t.admin('get', `/admin/v1/partners/${name}`);
      expect(partner.body).toMatchObject({ adapter: 'generic', ack: 'processed', enabled: false, secret_set: false });
      const row = await dataSource.manager.findOneByOrFail(Partner, { name });
      expect(row.secretEncrypted).toBe('');

      expect((await sync()).versionsWritten).toEqual([]); // unchanged files: nothing new
      writeFileSync(join(partnerDir, '_fallback.jsonata'), '/* still nothing */ []');
      expect((await sync()).versionsWritten).toEqual([`${name}/*@2`]);

      await putMapping(t, name, '*', '[] /* from the API */');
      writeFileSync(join(partnerDir, '_fallback.jsonata'), '/* edited again */ []');
      expect((await sync()).versionsWritten).toEqual([]);
      const live = await t.admin('get', `/admin/v1/partners/${name}/mappings`);
      expect(live.body.data.find((m: { event_type: string }) => m.event_type === '*')).toMatchObject({ version: 3, source: 'api' });
    });

    it('installs only the shipped partners marked "install": true (the demo\'s) at start; the others are templates', async () => {
      const live = await t.admin('get', '/admin/v1/partners/demo-pos/mappings');
      expect(live.status).toBe(200);
      expect(live.body.data.map((m: { event_type: string }) => m.event_type)).toEqual(expect.arrayContaining(['sale.updated', 'table.closed']));
      expect((await t.admin('get', '/admin/v1/partners/demo-pos')).body).toMatchObject({ adapter: 'demo-pos', signature: { scheme: 'hmac-sha256-hex' } });
      expect((await t.admin('get', '/admin/v1/partners/square')).status).toBe(404);
      expect((await t.admin('get', '/admin/v1/partners/lightspeed')).status).toBe(404);
    });

    it('a file partner without a secret refuses events until a secret is rotated, which enables it and is shown once', async () => {
      const name = uniq('filepos');
      const partnerDir = join(dir, name);
      mkdirSync(partnerDir);
      writeFileSync(join(partnerDir, 'partner.json'), JSON.stringify({ install: true, adapter: 'generic', signature: { scheme: 'hmac-sha256-hex' } }));
      writeFileSync(join(partnerDir, 'template-only.jsonata'), '[]');
      const template = uniq('tmpl');
      mkdirSync(join(dir, template));
      writeFileSync(join(dir, template, 'partner.json'), JSON.stringify({ adapter: 'generic', signature: { scheme: 'token' } }));
      const report = await syncFileMappings(t.composed.deps.dataSource, t.composed.deps.secretBox, logger, dir);
      expect(report.partnersCreated).toContain(name);
      expect(report.partnersCreated).not.toContain(template);
      expect(report.skipped).toContain(`${template}: a template (partner.json has no "install": true)`);

      const refused = await t.http.post(`/partners/${name}/events/webhooks.test_notification`).set('X-Signature', 'x').send('{}');
      expect(refused.body.error.code).toBe('unknown_partner');
      const enable = await t.admin('patch', `/admin/v1/partners/${name}`).send({ enabled: true });
      expect(enable.status).toBe(400);
      expect(enable.body.error.details.field).toBe('enabled');

      const rotated = await t.admin('patch', `/admin/v1/partners/${name}`).send({ rotate_secret: true });
      expect(rotated.status).toBe(200);
      expect(rotated.body).toMatchObject({ enabled: true, secret_set: true, secret: expect.any(String) });
      const shown = await t.admin('get', `/admin/v1/partners/${name}`);
      expect(shown.body).toMatchObject({ enabled: true, secret_set: true });
      expect(shown.body.secret).toBeUndefined();
      const signed = await signedPost(t, { name, secret: rotated.body.secret, adapter: 'generic', scheme: 'hmac-sha256-hex' }, 'webhooks.test_notification', '{}');
      expect(signed.status).toBe(200);
    });
  });
});

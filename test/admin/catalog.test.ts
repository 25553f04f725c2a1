import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MappingVersion, Partner } from '../../src/platform/db/entities';
import { DEFAULT_MAPPINGS_DIR } from '../../src/modules/partners/mapping/fixture-runner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

describe('admin API: partner catalog (CONTRACT §13, §15)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('lists every mappings/<vendor> template with kind, vendor, signature, event types and docs', async () => {
    const res = await t.admin('get', '/admin/v1/catalog');
    expect(res.status).toBe(200);
    const names = (res.body.data as { name: string }[]).map((d) => d.name);
    for (const vendor of ['square', 'lightspeed', 'toast', 'clover', 'zettle', 'sumup', 'revo', 'loyverse']) expect(names).toContain(vendor);
    expect(names).toEqual(readdirSync(DEFAULT_MAPPINGS_DIR).filter((d) => /^[a-z0-9-]+$/.test(d)).sort());
    const toast = (res.body.data as Record<string, unknown>[]).find((d) => d.name === 'toast');
    expect(toast).toMatchObject({
      kind: 'pos',
      vendor: 'Toast',
      adapter: 'toast',
      signature: { scheme: 'toast-hmac', header: 'toast-signature' },
      conflict: 'queue',
      event_types: ['*', 'order_updated'],
      docs: expect.arrayContaining([expect.stringMatching(/^https:\/\/doc\.toasttab\.com\//)]),
    });
    expect(res.body.next_cursor).toBeNull();
  });

  it('creates a partner from a template: its settings, its mappings as version 1, a generated secret shown once', async () => {
    const name = uniq('toast');
    const res = await t.admin('post', '/admin/v1/partners').send({ name, template: 'toast' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name,
      template: 'toast',
      adapter: 'toast',
      signature: { scheme: 'toast-hmac', header: 'toast-signature' },
      ack: 'queued',
      conflict: 'queue',
      enabled: true,
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/),
    });
    expect(res.body.mappings).toEqual(
      expect.arrayContaining([{ event_type: 'order_updated', version: 1 }, { event_type: '*', version: 1 }]),
    );
    const secret = res.body.secret as string;
    const row = await t.composed.deps.dataSource.manager.findOneByOrFail(Partner, { name });
    expect(t.composed.deps.secretBox.decrypt(row.secretEncrypted)).toBe(secret);

    const again = await t.admin('get', `/admin/v1/partners/${name}`);
    expect(JSON.stringify(again.body)).not.toContain(secret);
    const live = await t.admin('get', `/admin/v1/partners/${name}/mappings`);
    expect(live.body.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ event_type: 'order_updated', version: 1, source: 'file' })]),
    );
    expect((live.body.data as { expression: string }[]).find((m) => m.expression.includes('details.order'))).toBeDefined();
  });

  it('takes a given secret and overrides; a given secret is never echoed', async () => {
    const name = uniq('zettle');
    const res = await t.admin('post', '/admin/v1/partners').send({ name, template: 'zettle', conflict: 'queue', signature: { secret: 'signing-key-1' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ adapter: 'zettle', conflict: 'queue', signature: { scheme: 'zettle-hmac' } });
    expect(res.body).not.toHaveProperty('secret');
    const row = await t.composed.deps.dataSource.manager.findOneByOrFail(Partner, { name });
    expect(t.composed.deps.secretBox.decrypt(row.secretEncrypted)).toBe('signing-key-1');
  });

  it('refuses an unknown template with 400 validation_error listing the valid ones, creating nothing', async () => {
    const name = uniq('nope');
    const res = await t.admin('post', '/admin/v1/partners').send({ name, template: 'no-such-pos' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_error', details: { field: 'template' } });
    expect(res.body.error.details.valid).toEqual(expect.arrayContaining(['toast', 'square', 'clover']));
    expect(res.body.error.message).toContain('toast');
    expect(await t.composed.deps.dataSource.manager.findOneBy(Partner, { name })).toBeNull();
  });

  it('refuses a template with an adapter, and no template without a signature scheme', async () => {
    const a = await t.admin('post', '/admin/v1/partners').send({ name: uniq('x'), template: 'toast', adapter: 'generic' });
    expect(a.status).toBe(400);
    expect(a.body.error).toMatchObject({ code: 'validation_error', details: { field: 'adapter' } });
    const b = await t.admin('post', '/admin/v1/partners').send({ name: uniq('x') });
    expect(b.status).toBe(400);
    expect(b.body.error).toMatchObject({ code: 'validation_error', details: { field: 'signature' } });
    const c = await t.admin('post', '/admin/v1/partners').send({ name: uniq('x'), signature: { secret: 's' } });
    expect(c.status).toBe(400);
    expect(c.body.error).toMatchObject({ code: 'validation_error', details: { field: 'signature.scheme' } });
  });

  it('leaves nothing behind when the name is taken', async () => {
    const name = uniq('dup');
    expect((await t.admin('post', '/admin/v1/partners').send({ name, template: 'square' })).status).toBe(201);
    const res = await t.admin('post', '/admin/v1/partners').send({ name, template: 'toast' });
    expect(res.status).toBe(409);
    const partner = await t.composed.deps.dataSource.manager.findOneByOrFail(Partner, { name });
    expect(partner.adapter).toBe('square');
    const versions = await t.composed.deps.dataSource.manager.find(MappingVersion, { where: { partnerId: partner.id } });
    expect(versions.every((v) => v.version === 1)).toBe(true);
    expect(versions.map((v) => v.eventType).sort()).toEqual(
      readdirSync(join(DEFAULT_MAPPINGS_DIR, 'square')).filter((f) => f.endsWith('.jsonata')).map((f) => (f === '_fallback.jsonata' ? '*' : f.slice(0, -8))).sort(),
    );
  });
});

import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Sale } from '../../src/platform/db/entities';
import { appMounts, type AppMount } from '../../src/surfaces/app';
import { buildOpenApiDocument, servedOperations } from '../../src/surfaces/http/openapi/openapi-document';
import type { Operation, Surface } from '../../src/surfaces/http/operation';
import { DOCUMENTED_SURFACES } from '../../src/surfaces/surfaces';
import { API_SCOPES } from '../../src/surfaces/http/schemas/venue.schema';
import { newId } from '../../src/platform/ids';
import { ERROR_CATALOG } from '../../src/platform/app-error';
import { createApiKey, createVenue, venueBody } from '../helpers/fixtures';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

type Doc = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// ---------------------------------------------------------------------------------------------------------
// What the app serves: the operations its API mounts declare (the routers are built from them).

/** The mounts the "every route is documented" rule covers; pages and static files may live elsewhere. */
const API_MOUNTS = /^\/(api|admin|partners)(\/|$)/;

interface ServedRoute {
  method: Operation['method'];
  path: string;
}

const toOpenApiPath = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const key = (r: ServedRoute) => `${r.method.toUpperCase()} ${toOpenApiPath(r.path)}`;

function documentedOperations(doc: Doc): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
    for (const method of METHODS) if (item[method]) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// JSON Schema 2020-12 checks of the document's schemas and examples.

const SCHEMA_BASE = 'https://schemas.tablesync.test/';

/** `#/components/schemas/X/...` → an absolute URI ajv can resolve against the components added below. */
function rebaseRefs<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value).replace(/"#\/components\/schemas\/([^/"]+)((?:\/[^"]*)?)"/g, (_m, name: string, rest: string) => `"${SCHEMA_BASE}${name}${rest ? `#${rest}` : ''}"`),
  ) as T;
}

function schemaAjv(doc: Doc): Ajv2020 {
  // strict: an ajv-only or OpenAPI-3.0-only keyword left in a schema fails here.
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  for (const [name, schema] of Object.entries<object>(doc.components.schemas)) {
    ajv.addSchema({ ...rebaseRefs(schema), $id: `${SCHEMA_BASE}${name}` });
  }
  return ajv;
}

/** Every (schema, example) pair in operations and parameters, with where it is. */
function examplesOf(doc: Doc): { where: string; schema: object; example: unknown }[] {
  const out: { where: string; schema: object; example: unknown }[] = [];
  const visitContent = (where: string, content: Record<string, any> | undefined) => {
    for (const [type, media] of Object.entries(content ?? {})) {
      if (media.example !== undefined) out.push({ where: `${where} ${type}`, schema: media.schema, example: media.example });
      for (const [name, ex] of Object.entries<any>(media.examples ?? {})) {
        out.push({ where: `${where} ${type} examples.${name}`, schema: media.schema, example: ex.value });
      }
    }
  };
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      visitContent(`${method.toUpperCase()} ${path} request`, op.requestBody?.content);
      for (const [status, res] of Object.entries<any>(op.responses)) visitContent(`${method.toUpperCase()} ${path} ${status}`, res.content);
    }
  }
  return out;
}

/** Every sub-schema that carries `examples`, to check each example against the schema it sits in. */
function schemaExamples(schema: unknown, where: string, out: { where: string; schema: object; example: unknown }[] = []) {
  if (Array.isArray(schema)) schema.forEach((s, i) => schemaExamples(s, `${where}[${i}]`, out));
  else if (schema && typeof schema === 'object') {
    const s = schema as Record<string, unknown>;
    if (Array.isArray(s.examples) && !('$ref' in s)) for (const ex of s.examples) out.push({ where, schema: s, example: ex });
    for (const [k, v] of Object.entries(s)) if (k !== 'examples' && k !== 'enum' && k !== 'const' && k !== 'default') schemaExamples(v, `${where}.${k}`, out);
  }
  return out;
}

/**
 * `SwaggerParser.validate` (it validates 3.1 against the official 3.1 schema), run in a plain Node process:
 * its json-schema-ref-parser is ESM-only, which Node's require() loads but jest's CommonJS runtime cannot.
 * validate() also dereferences its argument in place (swagger-parser issue #77); here it gets its own copy.
 */
function swaggerParserValidate(document: unknown): { valid: boolean; message: string } {
  const script = `
    let input = '';
    process.stdin.on('data', (d) => { input += d; }).on('end', async () => {
      try {
        await require('@apidevtools/swagger-parser').validate(JSON.parse(input));
        process.stdout.write('valid');
      } catch (err) {
        process.stdout.write(String(err && err.message));
        process.exitCode = 1;
      }
    });`;
  const run = spawnSync(process.execPath, ['-e', script], { input: JSON.stringify(document), cwd: process.cwd(), encoding: 'utf8' });
  return { valid: run.status === 0, message: run.stdout || run.stderr };
}

// ---------------------------------------------------------------------------------------------------------

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Doc;
  let mounts: AppMount[];
  let surfaces: Surface[];
  let served: (ServedRoute & { op: Operation })[];

  beforeAll(async () => {
    t = await startTestApp();
    doc = buildOpenApiDocument(DOCUMENTED_SURFACES);
    mounts = appMounts(t.composed.deps);
    surfaces = mounts.flatMap((m) => ('surface' in m ? [m.surface] : []));
    served = servedOperations(surfaces).map((op) => ({ method: op.method, path: op.path, op }));
  });
  afterAll(() => t.stop());

  it('is served at GET /api/v1/openapi without an API key', async () => {
    const res = await t.http.get('/api/v1/openapi');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('is a valid OpenAPI 3.1 document (swagger-parser)', () => {
    expect(swaggerParserValidate(doc)).toEqual({ valid: true, message: 'valid' });
    // The validator is real: it refuses a broken copy.
    const broken = structuredClone(doc);
    broken.paths['/api/v1/sales'].get.responses = 'none';
    expect(swaggerParserValidate(broken).valid).toBe(false);
  });

  it('has unique operation ids and declares exactly the path parameters of each path template', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path');
        expect(declared.map((p: any) => p.name).sort()).toEqual(inPath);
        for (const p of declared) expect(p.required).toBe(true);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      }
    }
  });

  it('has schemas that compile as JSON Schema 2020-12 with no ajv-only keywords left', () => {
    const ajv = schemaAjv(doc);
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => ajv.getSchema(`${SCHEMA_BASE}${name}`)).not.toThrow();
    }
    expect(JSON.stringify(doc)).not.toMatch(/"\$id"|"nullable"|"definitions"/);
  });

  it('has examples that match their schemas', () => {
    const ajv = schemaAjv(doc);
    const pairs = [
      ...examplesOf(doc),
      ...Object.entries<object>(doc.components.schemas).flatMap(([name, s]) => schemaExamples(s, name)),
    ];
    expect(pairs.length).toBeGreaterThan(30);
    const failures: string[] = [];
    for (const { where, schema, example } of pairs) {
      const validate: ValidateFunction = ajv.compile(rebaseRefs(schema));
      if (!validate(example)) failures.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(failures).toEqual([]);
  });

  it('documents per-operation security, scopes, rate-limit headers and error codes from ERROR_CATALOG', () => {
    const sales = doc.paths['/api/v1/sales'].get;
    expect(sales.security).toEqual([{ apiKey: ['sales:read'] }, { session: ['sales:read'] }]);
    expect(sales.responses['200'].headers).toHaveProperty('X-RateLimit-Remaining');
    expect(Object.keys(sales.responses['429'].content['application/json'].examples)).toEqual(['rate_limited']);
    expect(sales.responses['429'].headers).toHaveProperty('Retry-After');
    expect(sales.parameters.map((p: any) => p.name ?? p.$ref)).toEqual(
      expect.arrayContaining(['date', 'booking_id', 'unmatched', '#/components/parameters/Limit', '#/components/parameters/Cursor']),
    );
    expect(doc.paths['/api/v1/openapi'].get.security).toEqual([]);
    expect(doc.paths['/admin/v1/venues'].post.security).toEqual([{ adminToken: [] }, { session: [] }]);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });

    const createBooking = doc.paths['/api/v1/bookings'].post;
    expect(createBooking.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(doc.paths['/api/v1/customers'].post.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(Object.keys(createBooking.responses['422'].content['application/json'].examples)).toEqual(
      expect.arrayContaining(['slot_unavailable', 'idempotency_key_reused']),
    );

    // Every error response's status is the catalog's status for each of its codes.
    for (const item of Object.values<Record<string, any>>(doc.paths)) {
      for (const method of METHODS) {
        for (const [status, res] of Object.entries<any>(item[method]?.responses ?? {})) {
          for (const code of Object.keys(res.content?.['application/json']?.examples ?? {})) {
            expect(`${code} ${(ERROR_CATALOG as Record<string, { status: number }>)[code]?.status}`).toBe(`${code} ${status}`);
          }
        }
      }
    }
  });

  it('generates request schemas from the ajv schemas the routes validate with', async () => {
    const ajv = schemaAjv(doc);
    const createVenue = ajv.getSchema(`${SCHEMA_BASE}CreateVenue`)!;
    expect(createVenue(venueBody())).toBe(true);
    expect(createVenue({ ...venueBody(), colour: 'red' })).toBe(false);
    const matchSale = ajv.getSchema(`${SCHEMA_BASE}MatchSale`)!;
    expect(matchSale({ booking_id: null })).toBe(true);
    expect(matchSale({})).toBe(false);
    // And the route agrees with the document on the same bodies.
    const bad = await t.admin('post', '/admin/v1/venues').send({ ...venueBody(), colour: 'red' });
    expect(bad.status).toBe(400);
  });

  it('mounts only declared operations under the API prefixes, and documents the surfaces it mounts', () => {
    const apiMounts = mounts.filter((m) => API_MOUNTS.test(m.path));
    expect(apiMounts.map((m) => m.path).sort()).toEqual(['/admin/v1', '/api/v1', '/api/v1/public', '/partners']);
    for (const m of apiMounts) expect(`${m.path} ${'surface' in m}`).toBe(`${m.path} true`);
    // Nothing else is mounted under an API prefix, not even below the root.
    for (const m of mounts.filter((m) => !API_MOUNTS.test(m.path))) {
      if ('surface' in m) for (const op of m.surface.operations) expect(`${m.surface.prefix}${op.path}`).not.toMatch(API_MOUNTS);
    }
    expect(new Set(surfaces)).toEqual(new Set(DOCUMENTED_SURFACES));
    expect(served.map(key)).toEqual(expect.arrayContaining(['GET /healthz', 'PATCH /api/v1/sales/{id}', 'POST /partners/{partner}/events/{event_type}']));
  });

  it('answers every declared operation from its own route, not the 404 for unknown routes', async () => {
    const venue = await createVenue(t);
    const key = await createApiKey(t, venue.id, [...API_SCOPES]);
    const unknown = await t.http.get('/api/v1/no-such-route').set('Authorization', `Bearer ${key}`);
    expect(unknown.body.error.message).toMatch(/^No route for/);
    for (const { method, path, op } of served) {
      const url = path.replace(/:([A-Za-z0-9_]+)/g, 'x_$1');
      let req = t.http[method](url);
      if (op.auth === 'apiKey') req = req.set('Authorization', `Bearer ${key}`);
      if (op.auth === 'admin') req = req.set('Authorization', `Bearer ${t.config.adminToken}`);
      // An event stream stays open: read its first bytes, then hang up.
      if (op.responses.some((r) => r.contentType === 'text/event-stream')) {
        req = req.buffer(true).parse((stream, done) => {
          stream.once('data', () => {
            done(null, null);
            (stream as unknown as { destroy(): void }).destroy();
          });
        });
      }
      const res = method === 'get' || method === 'delete' ? await req : await req.send({});
      expect(`${method} ${path} ${res.status} ${res.body?.error?.message ?? ''}`).not.toMatch(/No route for/);
    }
  });

  it('enforces the scope each API-key operation documents', async () => {
    const venue = await createVenue(t);
    const keyed = served.filter((r) => r.op.auth === 'apiKey');
    expect(keyed.length).toBeGreaterThan(15);
    for (const { method, path, op } of keyed) {
      const documented = doc.paths[toOpenApiPath(path)][method]['x-required-scopes'];
      expect(`${op.id} ${documented}`).toBe(`${op.id} ${op.scope}`);
      const without = await createApiKey(t, venue.id, API_SCOPES.filter((s) => s !== op.scope));
      const url = path.replace(/:([A-Za-z0-9_]+)/g, 'x_$1');
      const req = t.http[method](url).set('Authorization', `Bearer ${without}`);
      const denied = method === 'get' || method === 'delete' ? await req : await req.send({});
      expect(`${op.id} ${denied.status} ${JSON.stringify(denied.body.error?.details)}`).toBe(`${op.id} 403 ${JSON.stringify({ required_scope: op.scope })}`);
    }
  });

  it('documents every route the app serves', () => {
    const documented = new Set(documentedOperations(doc));
    const missing = served.map(key).filter((k) => !documented.has(k));
    expect(missing).toEqual([]);
    expect(served.filter((r) => API_MOUNTS.test(r.path)).length).toBeGreaterThan(10);
  });

  it('documents only routes the app serves', () => {
    const servedKeys = new Set(served.map(key));
    const phantom = documentedOperations(doc).filter((k) => !servedKeys.has(k));
    expect(phantom).toEqual([]);
  });

  describe('matches what the app really answers', () => {
    let ajv: Ajv2020;
    /** Validates a real response against the schema the document gives for that operation and status. */
    const check = (method: string, path: string, res: { status: number; body: unknown }) => {
      const op = doc.paths[path]?.[method];
      if (!op) throw new Error(`${method} ${path} is not documented`);
      const documented = op.responses[String(res.status)];
      if (!documented) throw new Error(`${method} ${path} answered ${res.status}, which is not documented: ${JSON.stringify(res.body)}`);
      const media = documented.content?.['application/json'];
      if (!media) return;
      const validate = ajv.compile(rebaseRefs(media.schema));
      if (!validate(res.body)) {
        throw new Error(`${method} ${path} ${res.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`);
      }
    };

    beforeAll(() => {
      ajv = schemaAjv(doc);
    });

    it('health, admin venues and keys, sales, errors', async () => {
      check('get', '/healthz', await t.http.get('/healthz'));
      check('get', '/readyz', await t.http.get('/readyz'));
      const venue = await createVenue(t, { events: [{ name: 'Tasting', date: '2030-06-12', start: '19:00', end: '22:00', capacity: 40 }] });
      check('post', '/admin/v1/venues', { status: 201, body: venue.json });
      check('get', '/admin/v1/venues/{venue_id}', await t.admin('get', `/admin/v1/venues/${venue.id}`));
      check('post', '/admin/v1/venues/{venue_id}/api-keys', await t.admin('post', `/admin/v1/venues/${venue.id}/api-keys`).send({ name: 'k', scopes: ['sales:read'] }));
      check('post', '/admin/v1/venues', await t.admin('post', '/admin/v1/venues').send({ name: 'x' }));
      check('get', '/admin/v1/venues/{venue_id}', await t.http.get(`/admin/v1/venues/${venue.id}`));

      const em = t.composed.deps.dataSource.manager;
      const now = new Date();
      await em.save(Sale, em.create(Sale, {
        id: newId('sl'), partner: 'testpos', saleId: uniq('s'), venueId: venue.id, locationId: 'L1', bookingId: null,
        matchMethod: null, status: 'open', total: 100, subtotal: null, tax: null, tip: null, discount: null, currency: 'GBP',
        tableNumber: 'T 4', covers: null, openedAt: null, closedAt: null, receivedAt: now, matchAt: now, sourceVersion: null,
        payments: [{ method: 'card', amount: 100 }], version: 1, createdAt: now, updatedAt: now,
      }));
      const key = await createApiKey(t, venue.id);
      const api = (method: 'get' | 'post' | 'patch', path: string) => t.http[method](path).set('Authorization', `Bearer ${key}`);
      const sales = await api('get', '/api/v1/sales');
      expect(sales.body.data).toHaveLength(1);
      check('get', '/api/v1/sales', sales);
      check('get', '/api/v1/sales/{id}', await api('get', `/api/v1/sales/${sales.body.data[0].id}`));
      check('patch', '/api/v1/sales/{id}', await api('patch', `/api/v1/sales/${sales.body.data[0].id}`).send({ booking_id: null }));
      check('get', '/api/v1/sales/{id}', await api('get', '/api/v1/sales/sl_nope'));
      check('get', '/api/v1/sales', await api('get', '/api/v1/sales?limit=0'));
      check('get', '/api/v1/sales', await t.http.get('/api/v1/sales').set('Authorization', 'Bearer ts_live_nope'));
    });

    it('the booking API: venue, availability, bookings, customers, webhooks', async () => {
      const venue = await createVenue(t, { events: [{ name: 'Tasting', date: '2030-06-12', start: '19:00', end: '22:00', capacity: 40 }] });
      const key = await createApiKey(t, venue.id);
      const api = (method: 'get' | 'post' | 'patch' | 'delete', path: string) => t.http[method](path).set('Authorization', `Bearer ${key}`);

      check('get', '/api/v1/venue', await api('get', '/api/v1/venue'));
      check('get', '/api/v1/services', await api('get', '/api/v1/services'));
      check('get', '/api/v1/events', await api('get', '/api/v1/events'));
      check('get', '/api/v1/availability', await api('get', '/api/v1/availability?date=2030-05-01&party_size=2'));
      check('get', '/api/v1/availability', await api('get', '/api/v1/availability?date=2030-05-01'));

      const created = await api('post', '/api/v1/bookings').set('Idempotency-Key', uniq('idem'))
        .send({ date: '2030-05-01', time: '19:00', party_size: 2, customer_name: 'Ada Lovelace', email: `${uniq('ada')}@example.com` });
      expect(created.status).toBe(201);
      check('post', '/api/v1/bookings', created);
      check('get', '/api/v1/bookings', await api('get', '/api/v1/bookings?date=2030-05-01'));
      check('get', '/api/v1/bookings/{id}', await api('get', `/api/v1/bookings/${created.body.id}`));
      check('patch', '/api/v1/bookings/{id}', await api('patch', `/api/v1/bookings/${created.body.id}`).send({ notes: 'Birthday' }));
      check('patch', '/api/v1/bookings/{id}', await api('patch', `/api/v1/bookings/${created.body.id}`).send({ status: 'completed' }));

      const customer = await api('post', '/api/v1/customers').send({ name: 'Grace Hopper', phone: '+44 20 7946 0958' });
      expect(`${customer.status} ${JSON.stringify(customer.body)}`).toMatch(/^201/);
      check('post', '/api/v1/customers', customer);
      check('post', '/api/v1/customers', await api('post', '/api/v1/customers').send({ name: 'Grace H.', phone: '+442079460958' }));
      check('get', '/api/v1/customers', await api('get', '/api/v1/customers?q=grace'));
      check('get', '/api/v1/customers/{id}', await api('get', `/api/v1/customers/${created.body.customer.id}`));

      const hook = await api('post', '/api/v1/webhooks').send({ url: 'http://127.0.0.1:9/hook', events: ['sale.recorded'] });
      check('post', '/api/v1/webhooks', hook);
      check('get', '/api/v1/webhooks', await api('get', '/api/v1/webhooks'));
      check('get', '/api/v1/webhooks/{id}', await api('get', `/api/v1/webhooks/${hook.body.id}`));
      check('patch', '/api/v1/webhooks/{id}', await api('patch', `/api/v1/webhooks/${hook.body.id}`).send({ events: ['*'] }));
      check('get', '/api/v1/webhooks/{id}/deliveries', await api('get', `/api/v1/webhooks/${hook.body.id}/deliveries`));
      check('delete', '/api/v1/webhooks/{id}', await api('delete', `/api/v1/webhooks/${hook.body.id}`));

      for (const group of ['day', 'weekday', 'service']) check('get', '/api/v1/analytics', await api('get', `/api/v1/analytics?from=2030-05-01&to=2030-05-03&group_by=${group}`));
      check('get', '/api/v1/analytics', await api('get', '/api/v1/analytics?from=2030-05-03&to=2030-05-01'));
    });

    it('the admin partner hub and partner ingestion', async () => {
      const venue = await createVenue(t);
      const name = uniq('pos').toLowerCase();
      const secret = 'openapi-test-secret';
      const partner = await t.admin('post', '/admin/v1/partners').send({ name, signature: { scheme: 'hmac-sha256-hex', secret } });
      check('post', '/admin/v1/partners', partner);
      check('get', '/admin/v1/partners', await t.admin('get', '/admin/v1/partners'));
      check('get', '/admin/v1/partners/{name}', await t.admin('get', `/admin/v1/partners/${name}`));
      check('patch', '/admin/v1/partners/{name}', await t.admin('patch', `/admin/v1/partners/${name}`).send({ ack: 'queued' }));
      check('put', '/admin/v1/partners/{name}/locations/{location_id}', await t.admin('put', `/admin/v1/partners/${name}/locations/L1`).send({ venue_id: venue.id }));
      check('get', '/admin/v1/partners/{name}/locations', await t.admin('get', `/admin/v1/partners/${name}/locations`));
      const expression = '{"type": "sale", "location_id": location, "sale_id": id, "status": "closed", "total": total, "currency": "GBP"}';
      check('put', '/admin/v1/partners/{name}/mappings/{event_type}', await t.admin('put', `/admin/v1/partners/${name}/mappings/sale.closed`).send({ expression }));
      check('put', '/admin/v1/partners/{name}/mappings/{event_type}', await t.admin('put', `/admin/v1/partners/${name}/mappings/sale.closed`).send({ expression: '{' }));
      check('get', '/admin/v1/partners/{name}/mappings', await t.admin('get', `/admin/v1/partners/${name}/mappings`));
      check('post', '/admin/v1/partners/{name}/mappings/{event_type}/test', await t.admin('post', `/admin/v1/partners/${name}/mappings/sale.closed/test`)
        .send({ payload: { id: 'A-1', location: 'L1', total: 4250 } }));

      const body = JSON.stringify({ id: uniq('A'), location: 'L1', total: 4250 });
      const sign = (b: string) => createHmac('sha256', secret).update(b).digest('hex');
      const post = (path: string, b: string, signature?: string) => {
        const req = t.http.post(path).set('Content-Type', 'application/json');
        if (signature) req.set('X-Signature', signature);
        return req.send(b);
      };
      const ingest = '/partners/{partner}/events/{event_type}';
      const accepted = await post(`/partners/${name}/events/sale.closed`, body, sign(body));
      expect(accepted.status).toBe(200);
      check('post', ingest, accepted);
      check('post', ingest, await post(`/partners/${name}/events/webhooks.test_notification`, '{}', sign('{}')));
      check('post', '/partners/{partner}/webhooks/callback/{event_type}', await post(`/partners/${name}/webhooks/callback/sale.closed`, body, 'bad'));
      check('post', ingest, await post(`/partners/${name}/events/sale.closed`, body));
      check('post', ingest, await post('/partners/nobody/events/sale.closed', body, 'x'));

      check('get', '/admin/v1/partners/{name}/events', await t.admin('get', `/admin/v1/partners/${name}/events`));
      const detail = await waitFor(async () => {
        const r = await t.admin('get', `/admin/v1/events/${accepted.body.event_id}`);
        return r.status === 200 && r.body.status !== 'queued' && r.body.status !== 'processing' ? r : null;
      }, { what: 'the event to be processed' });
      check('get', '/admin/v1/events/{id}', detail);
      check('post', '/admin/v1/events/{id}/replay', await t.admin('post', `/admin/v1/events/${accepted.body.event_id}/replay`));
      check('get', '/admin/v1/events/{id}', await t.admin('get', '/admin/v1/events/evt_nope'));
    });
  });
});

describe('GET /docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('serves the HTML reference page pointing at the document, with its assets from node_modules', async () => {
    const res = await t.http.get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('/api/v1/openapi');
    const scripts = [...res.text.matchAll(/src="([^"]+)"/g)].map((m) => m[1]!);
    const styles = [...res.text.matchAll(/rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    // No inline script: the page works under a `script-src 'self'` CSP.
    expect(res.text).not.toMatch(/<script>/);
    for (const asset of [...scripts, ...styles]) {
      const a = await t.http.get(asset);
      expect(`${asset} ${a.status}`).toBe(`${asset} 200`);
    }
    expect((await t.http.get('/docs/assets/index.html')).status).toBe(404);
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildResourceServer } from '../../src/app.js';
import { generateTenantData } from '../../src/data/seed.js';
import { USAGE_FROM, USAGE_TO } from '../../src/data/catalog.js';
import type { UsageRecord } from '../../src/data/model.js';

type Page<T = Record<string, unknown>> = { items: T[]; nextCursor: string | null };

/**
 * The sample API's data and pagination, driven with inject() and verification off (tokens are
 * covered by the verifier tests and the end-to-end tests).
 */
describe('sample API lists: seeded data, filters, cursor pagination', () => {
  let app: FastifyInstance;
  const get = async <T = Record<string, unknown>>(url: string) => {
    const r = await app.inject({ method: 'GET', url });
    return { status: r.statusCode, body: r.json() as Page<T> & { errorMessage?: string; errorCode?: string } };
  };
  async function all<T>(url: string, limit: number): Promise<{ items: T[]; pages: number }> {
    const items: T[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = url.includes('?') ? '&' : '?';
      const r: { status: number; body: Page<T> } = await get<T>(
        `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.items.length <= limit);
      items.push(...r.body.items);
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    return { items, pages };
  }

  before(async () => {
    app = await buildResourceServer({ verifier: null });
  });
  after(() => app.close());

  test('the data is a pure function of the tenant: stable, and different per tenant', () => {
    const a = generateTenantData('demo');
    assert.deepEqual(generateTenantData('demo'), a);
    const b = generateTenantData('acme');
    assert.notDeepEqual(
      b.entitlements.map((e) => e.id),
      a.entitlements.map((e) => e.id),
    );
    for (const d of [a, b]) {
      assert.ok(d.entitlements.length >= 5 && d.entitlements.length <= 8);
      assert.ok(d.instances.length >= 3, 'several instances');
      assert.ok(d.usage.length > 1000, 'months of daily usage');
      const ents = new Set(d.entitlements.map((e) => e.id));
      assert.ok(d.instances.every((i) => ents.has(i.entitlementId)));
      assert.ok(d.usage.every((u) => u.date >= USAGE_FROM && u.date <= USAGE_TO && u.quantity >= 0));
    }
  });

  test('serviceEntitlements: the whole list page by page, in id order, nothing repeated or skipped', async () => {
    const expected = generateTenantData('demo').entitlements;
    const first = await get('/t/demo/myservices/api/v1/serviceEntitlements');
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { items: expected, nextCursor: null });
    const paged = await all('/t/demo/myservices/api/v1/serviceEntitlements', 2);
    assert.deepEqual(paged.items, expected);
    assert.equal(paged.pages, Math.ceil(expected.length / 2));
  });

  test('instances: paginated and filtered by service', async () => {
    const expected = generateTenantData('demo').instances;
    assert.deepEqual((await all('/t/demo/myservices/api/v1/instances', 3)).items, expected);
    const code = expected[0].serviceCode;
    const filtered = await all(`/t/demo/myservices/api/v1/instances?service=${code}`, 1);
    assert.deepEqual(
      filtered.items,
      expected.filter((i) => i.serviceCode === code),
    );
  });

  test('usage: date range (inclusive), service filters, and keyset pagination across pages', async () => {
    const usage = generateTenantData('demo').usage;
    const services = [...new Set(usage.map((u) => u.serviceCode))];
    const from = '2025-03-01';
    const to = '2025-03-14';
    const want = usage.filter((u) => u.date >= from && u.date <= to && u.serviceCode === services[0]);
    assert.ok(want.length > 10);
    const got = await all<UsageRecord>(`/t/demo/metering/api/v1/usage?from=${from}&to=${to}&service=${services[0]}`, 7);
    assert.deepEqual(got.items, want);
    assert.equal(got.items[0].date, from);
    assert.equal(got.items.at(-1)!.date, to);

    // Several services: repeated or comma-separated; timestamps count by their UTC day.
    const two = usage.filter((u) => u.date === '2025-05-05' && services.slice(0, 2).includes(u.serviceCode));
    const rep = await get(
      `/t/demo/metering/api/v1/usage?from=2025-05-05&to=2025-05-05T23:59:59Z&service=${services[0]}&service=${services[1]}&limit=500`,
    );
    const comma = await get(
      `/t/demo/metering/api/v1/usage?from=2025-05-05T00:00:00Z&to=2025-05-05&service=${services[0]},${services[1]}&limit=500`,
    );
    assert.deepEqual(rep.body.items, two);
    assert.deepEqual(comma.body.items, two);

    // The default limit is 50, and no range means the whole window.
    const page = await get('/t/demo/metering/api/v1/usage');
    assert.equal(page.body.items.length, 50);
    assert.deepEqual(page.body.items, usage.slice(0, 50));
    assert.equal(typeof page.body.nextCursor, 'string');
    const next = await get(`/t/demo/metering/api/v1/usage?cursor=${page.body.nextCursor}`);
    assert.deepEqual(next.body.items, usage.slice(50, 100));
  });

  test('a range outside the data, or an unknown service, is an empty page', async () => {
    assert.deepEqual((await get('/t/demo/metering/api/v1/usage?from=2030-01-01')).body, {
      items: [],
      nextCursor: null,
    });
    assert.deepEqual((await get('/t/demo/metering/api/v1/usage?service=nothing')).body, {
      items: [],
      nextCursor: null,
    });
  });

  test('bad parameters are 400 with an errorMessage', async () => {
    for (const [url, code] of [
      ['/t/demo/metering/api/v1/usage?from=2025-02-30', 'ERR_INVALID_REQUEST'],
      ['/t/demo/metering/api/v1/usage?to=yesterday', 'ERR_INVALID_REQUEST'],
      ['/t/demo/metering/api/v1/usage?from=2025-03-02&to=2025-03-01', 'ERR_INVALID_REQUEST'],
      ['/t/demo/metering/api/v1/usage?limit=0', 'ERR_INVALID_REQUEST'],
      ['/t/demo/metering/api/v1/usage?limit=501', 'ERR_INVALID_REQUEST'],
      ['/t/demo/metering/api/v1/usage?limit=ten', 'ERR_INVALID_REQUEST'],
      ['/t/demo/metering/api/v1/usage?cursor=garbage', 'ERR_INVALID_CURSOR'],
      ['/t/BAD_TENANT/myservices/api/v1/instances', 'ERR_INVALID_REQUEST'],
    ] as const) {
      const r = await get(url);
      assert.equal(r.status, 400, url);
      assert.equal(r.body.errorCode, code, url);
      assert.equal(typeof r.body.errorMessage, 'string');
    }
  });

  test('a filter the endpoint does not have is refused, naming the ones it has, rather than ignored', async () => {
    const r = await get('/t/demo/metering/api/v1/usage?month=2025-01');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, {
      errorCode: 'ERR_INVALID_REQUEST',
      errorMessage: 'Unknown query parameter "month": this endpoint takes limit, cursor, service, from, to',
    });
    const e = await get('/t/demo/myservices/api/v1/instances?from=2025-01-01');
    assert.equal(e.body.errorMessage, 'Unknown query parameter "from": this endpoint takes limit, cursor, service');
  });

  test('a cursor only works for the list that made it', async () => {
    const page = await get('/t/demo/myservices/api/v1/instances?limit=1');
    const r = await get(`/t/demo/myservices/api/v1/serviceEntitlements?cursor=${page.body.nextCursor}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.errorCode, 'ERR_INVALID_CURSOR');
    // Another tenant's cursor names a record that tenant does not have.
    const other = await get(`/t/acme/myservices/api/v1/instances?cursor=${page.body.nextCursor}`);
    assert.equal(other.status, 400);
  });

  test('unknown routes are 404 with an errorMessage', async () => {
    const r = await get('/t/demo/myservices/api/v2/nothing');
    assert.equal(r.status, 404);
    assert.equal(r.body.errorCode, 'ERR_NOT_FOUND');
  });
});

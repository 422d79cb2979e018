import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, createTestServer } from '../helpers/harness.js';
import { passwordGrant, demo } from '../helpers/oauth.js';
import { createUser } from '../../src/domain/users/service.js';
import type { Client } from '../../src/domain/clients/model.js';

const DAY = 86_400_000;
const N = 1000;

for (const backend of await backends()) {
  test(`managers list 1,000 personal clients, filtered and sorted, across pages (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const tenant = await demo(s);
    const headers = { authorization: `Bearer ${(await passwordGrant(s)).json().access_token}` };
    const owners = [];
    for (let i = 0; i < 10; i++) {
      owners.push(
        await createUser(
          s.store,
          tenant,
          { email: `owner${String(i).padStart(2, '0')}@demo.test`, displayName: `Owner ${i}` },
          { type: 'system', id: null },
        ),
      );
    }
    const base = Date.now() - 100 * DAY;
    const clients: Client[] = [];
    await s.store.transaction(async (tx) => {
      for (let i = 0; i < N; i++) {
        const c: Client = {
          id: randomUUID(),
          tenantId: tenant.id,
          clientId: `lk_pc_list${i}`,
          kind: 'personal',
          name: `client-${String((i * 7919) % N).padStart(4, '0')}`,
          description: '',
          ownerUserId: owners[i % 10].id,
          secretHash: 'x',
          secretVersion: 1,
          previousSecretHash: null,
          previousSecretExpiresAt: null,
          grantTypes: ['client_credentials'],
          scopes: [],
          jwks: null,
          status: 'active',
          expiresAt: base + ((i * 37) % 200) * DAY,
          createdAt: base + (i % 50) * DAY,
          updatedAt: base,
          firstUsedAt: null,
          lastUsedAt: i % 3 === 0 ? null : base + (i % 17) * DAY,
          revokedAt: null,
          revokedBy: null,
        };
        clients.push(c);
        await tx.clients.insert(c);
      }
    });

    const fetchAll = async (query: string) => {
      const ids: string[] = [];
      const items: Array<Record<string, any>> = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r = await s.app.inject({
          url: `/t/demo/api/v1/oauth2-clients?limit=37&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          headers,
        });
        assert.equal(r.statusCode, 200, r.body);
        const body = r.json();
        items.push(...body.items);
        ids.push(...body.items.map((x: { id: string }) => x.id));
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      return { ids, items, pages };
    };

    const key = {
      name: (x: any) => x.name,
      owner: (x: any) => x.owner.email,
      createdAt: (x: any) => Date.parse(x.createdAt),
      expiresAt: (x: any) => Date.parse(x.expiresAt),
      lastUsedAt: (x: any) => (x.lastUsedAt === null ? -1 : Date.parse(x.lastUsedAt)),
      clientId: (x: any) => x.clientId,
      status: (x: any) => ['active', 'expired', 'inactive', 'revoked'].indexOf(x.status),
    } as const;

    for (const sort of Object.keys(key) as Array<keyof typeof key>) {
      for (const order of ['asc', 'desc']) {
        await t.test(`sort=${sort} order=${order}: every client exactly once, in order`, async () => {
          const { ids, items, pages } = await fetchAll(`status=&sort=${sort}&order=${order}`.replace('status=&', ''));
          assert.equal(pages, Math.ceil(N / 37));
          assert.equal(ids.length, N);
          assert.equal(new Set(ids).size, N, 'no duplicates');
          for (let i = 1; i < items.length; i++) {
            const a = key[sort](items[i - 1]);
            const b = key[sort](items[i]);
            assert.ok(order === 'asc' ? a <= b : a >= b, `${sort} out of order at ${i}: ${a} vs ${b}`);
          }
        });
      }
    }

    await t.test('filters: owner, name, status, created, expiry and last-used ranges', async () => {
      const now = Date.now();
      const byOwner = await fetchAll(`ownerEmail=owner03@demo.test`);
      assert.equal(byOwner.ids.length, clients.filter((c) => c.ownerUserId === owners[3].id).length);
      assert.ok(byOwner.items.every((x) => x.owner.email === 'owner03@demo.test'));
      const byOwnerId = await fetchAll(`ownerId=${owners[4].id}`);
      assert.equal(byOwnerId.ids.length, 100);
      const byName = await fetchAll('name=client-00');
      assert.equal(byName.ids.length, clients.filter((c) => c.name.includes('client-00')).length);
      const expired = await fetchAll('status=expired');
      assert.equal(expired.ids.length, clients.filter((c) => c.expiresAt! <= now).length);
      const active = await fetchAll('status=active&sort=expiresAt');
      assert.equal(active.ids.length + expired.ids.length, N);
      const from = base + 10 * DAY;
      const to = base + 20 * DAY;
      const created = await fetchAll(
        `createdFrom=${new Date(from).toISOString()}&createdTo=${new Date(to).toISOString()}`,
      );
      assert.equal(created.ids.length, clients.filter((c) => c.createdAt >= from && c.createdAt < to).length);
      const expiring = await fetchAll(
        `expiresFrom=${new Date(from).toISOString()}&expiresTo=${new Date(to).toISOString()}&sort=owner&order=desc`,
      );
      assert.equal(expiring.ids.length, clients.filter((c) => c.expiresAt! >= from && c.expiresAt! < to).length);
      // Last used: a range excludes never-used clients.
      const used = await fetchAll(
        `lastUsedFrom=${new Date(base + 5 * DAY).toISOString()}&lastUsedTo=${new Date(base + 9 * DAY).toISOString()}&sort=lastUsedAt`,
      );
      assert.equal(
        used.ids.length,
        clients.filter((c) => c.lastUsedAt !== null && c.lastUsedAt >= base + 5 * DAY && c.lastUsedAt < base + 9 * DAY)
          .length,
      );
      assert.ok(used.ids.length > 0);
      const usedBefore = await fetchAll(`lastUsedTo=${new Date(base + 2 * DAY).toISOString()}`);
      assert.equal(
        usedBefore.ids.length,
        clients.filter((c) => c.lastUsedAt !== null && c.lastUsedAt < base + 2 * DAY).length,
      );
      const badDate = await s.app.inject({ url: '/t/demo/api/v1/oauth2-clients?lastUsedFrom=yesterday', headers });
      assert.equal(badDate.statusCode, 400);
      const bad = await s.app.inject({ url: '/t/demo/api/v1/oauth2-clients?sort=secret', headers });
      assert.equal(bad.statusCode, 400);
      const wrongCursor = await s.app.inject({
        url: `/t/demo/api/v1/oauth2-clients?sort=name&cursor=${Buffer.from('{"s":"owner","d":"asc","v":1,"id":"x"}').toString('base64url')}`,
        headers,
      });
      assert.equal(wrongCursor.statusCode, 400);
    });
  });
}

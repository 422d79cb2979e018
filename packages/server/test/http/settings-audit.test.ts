import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, login, problem, type Caller } from '../helpers/api-client.js';

for (const backend of await backends()) {
  describe(`settings and audit API (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;
    let adminId: string;
    let tenantId: string;

    before(async () => {
      s = await createTestServer(backend);
      const session = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      admin = as(s, session);
      adminId = session.userId;
      tenantId = (await s.store.tenants.bySlug('demo'))!.id;
    });
    after(() => s.close());

    test('settings: defaults, a change is stored, cached tenant refreshed and audited', async () => {
      const res = await admin.request('GET', '/t/demo/api/v1/settings');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {
        ssoEnforced: false,
        signingCertificatePublic: true,
        accessTokenTtlSeconds: 3600,
        refreshTokenTtlSeconds: 31536000,
        personalClientMaxDays: 365,
        revokeClientsOnRoleLoss: true,
        refreshTokenGraceSeconds: 60,
        auditRetentionDays: 400,
      });
      const patch = await admin.request('PATCH', '/t/demo/api/v1/settings', {
        signingCertificatePublic: false,
        accessTokenTtlSeconds: 900,
        personalClientMaxDays: 365,
      });
      assert.equal(patch.statusCode, 200, patch.body);
      assert.equal(patch.json().accessTokenTtlSeconds, 900);
      const stored = (await s.store.tenants.byId(tenantId))!;
      assert.equal(stored.accessTokenTtlSeconds, 900);
      assert.equal(stored.signingCertificatePublic, false);
      assert.equal((await s.services.tenants.get('demo'))!.accessTokenTtlSeconds, 900, 'cache invalidated');
      assert.equal((await admin.request('GET', '/t/demo/api/v1/settings')).json().accessTokenTtlSeconds, 900);
      const [event] = await s.store.audit.list(tenantId, { action: 'settings.updated' }, 5);
      assert.equal(event.actorId, adminId);
      assert.deepEqual(event.details, {
        changed: {
          signingCertificatePublic: { from: true, to: false },
          accessTokenTtlSeconds: { from: 3600, to: 900 },
        },
      });
    });

    test('settings: out-of-range and unknown fields are 400 and change nothing', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ accessTokenTtlSeconds: 59 }, /body\.accessTokenTtlSeconds must be >= 60/],
        [{ accessTokenTtlSeconds: 86401 }, /body\.accessTokenTtlSeconds must be <= 86400/],
        [{ refreshTokenTtlSeconds: 3599 }, /body\.refreshTokenTtlSeconds must be >= 3600/],
        [{ refreshTokenTtlSeconds: 5 * 365 * 86400 + 1 }, /body\.refreshTokenTtlSeconds must be <= 157680000/],
        [{ personalClientMaxDays: 0 }, /body\.personalClientMaxDays must be >= 1/],
        [{ personalClientMaxDays: 3651 }, /body\.personalClientMaxDays must be <= 3650/],
        [{ refreshTokenGraceSeconds: -1 }, /body\.refreshTokenGraceSeconds must be >= 0/],
        [{ refreshTokenGraceSeconds: 601 }, /body\.refreshTokenGraceSeconds must be <= 600/],
        [{ auditRetentionDays: 29 }, /body\.auditRetentionDays must be >= 30/],
        [{ auditRetentionDays: 3651 }, /body\.auditRetentionDays must be <= 3650/],
        [{ accessTokenTtlSeconds: 90.5 }, /body\.accessTokenTtlSeconds must be integer/],
        [{ ssoEnforced: 'yes' }, /body\.ssoEnforced must be boolean/],
        [{ enterpriseEnabled: true }, /body\.enterpriseEnabled is not allowed/],
        [{}, /fewer than 1 properties/],
      ];
      for (const [body, detail] of cases)
        problem(await admin.request('PATCH', '/t/demo/api/v1/settings', body), 400, detail);
      const stored = (await s.store.tenants.byId(tenantId))!;
      assert.equal(stored.accessTokenTtlSeconds, 900);
      assert.equal(stored.enterpriseEnabled, true);
    });

    test('audit: newest first, filtered, paginated without duplicates', async () => {
      for (let i = 0; i < 5; i++) {
        assert.equal(
          (await admin.request('POST', '/t/demo/api/v1/users', { email: `a${i}@demo.test` })).statusCode,
          201,
        );
      }
      const all = (await admin.request('GET', '/t/demo/api/v1/audit?limit=200')).json().items as Array<{
        id: number;
        action: string;
        at: string;
      }>;
      assert.ok(all.length >= 8);
      assert.deepEqual(
        all.map((e) => e.id),
        [...all.map((e) => e.id)].sort((a, b) => b - a),
      );
      assert.equal(all[0].action, 'user.invited');
      assert.ok(all.some((e) => e.action === 'tenant.created'));

      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ id: number }>; nextCursor: string | null } = (
          await admin.request('GET', `/t/demo/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
        ).json();
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(
        seen,
        all.map((e) => e.id),
      );

      const invited = (
        await admin.request('GET', `/t/demo/api/v1/audit?action=user.invited&actorId=${adminId}`)
      ).json();
      assert.equal(invited.items.length, 5);
      assert.ok(
        invited.items.every(
          (e: { action: string; actorId: string; actorType: string }) =>
            e.action === 'user.invited' && e.actorId === adminId && e.actorType === 'user',
        ),
      );
      const a0 = (await s.store.users.byEmail(tenantId, 'a0@demo.test'))!;
      const target = (await admin.request('GET', `/t/demo/api/v1/audit?targetId=${a0.id}`)).json();
      assert.deepEqual(
        target.items.map((e: { details: unknown }) => e.details),
        [{ email: 'a0@demo.test', roles: [] }],
      );

      const middle = all[3].at;
      const from = (
        await admin.request('GET', `/t/demo/api/v1/audit?limit=200&from=${encodeURIComponent(middle)}`)
      ).json().items;
      const to = (await admin.request('GET', `/t/demo/api/v1/audit?limit=200&to=${encodeURIComponent(middle)}`)).json()
        .items;
      assert.ok(from.every((e: { at: string }) => e.at >= middle));
      assert.ok(to.every((e: { at: string }) => e.at < middle));
      assert.equal(from.length + to.length, all.length);
      assert.equal(
        (await admin.request('GET', '/t/demo/api/v1/audit?from=2999-01-01T00:00:00Z')).json().items.length,
        0,
      );
    });

    test('audit: bad filters are 400 with a specific detail', async () => {
      problem(
        await admin.request('GET', '/t/demo/api/v1/audit?from=yesterday'),
        400,
        /querystring\.from must match format "date-time"/,
      );
      problem(
        await admin.request('GET', '/t/demo/api/v1/audit?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z'),
        400,
        /from must be before to/,
      );
      problem(await admin.request('GET', '/t/demo/api/v1/audit?cursor=abc'), 400, /cursor is not valid/);
      problem(await admin.request('GET', '/t/demo/api/v1/audit?limit=500'), 400, /querystring\.limit must be <= 200/);
      problem(await admin.request('GET', '/t/demo/api/v1/audit?actor=me'), 400, /querystring\.actor is not allowed/);
    });
  });
}

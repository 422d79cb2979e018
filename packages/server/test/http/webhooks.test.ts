import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, type TestServer } from '../helpers/harness.js';
import { passwordGrant, demo, makeApp, token } from '../helpers/oauth.js';
import { createUser } from '../../src/domain/users/service.js';
import { regenerateAppSecret, setAppActive } from '../../src/domain/clients/apps.js';
import { OutboxDispatcher } from '../../src/delivery/dispatcher.js';
import { verifyWebhook } from '../../src/domain/webhooks/signature.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { reportLeak } from '../../src/domain/secret-scanning/report-leak.js';
import { createPersonalClient } from '../../src/domain/clients/personal.js';
import { recordAudit } from '../../src/domain/audit/record.js';

const SYSTEM = { type: 'system' as const, id: null };
const PASSWORD = 'a sufficiently long password';

/** The schedulers' clock, moved by the test. */
function manualClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms: number) => {
      offset += ms;
    },
  };
}

async function outboxRows(s: TestServer) {
  return s.store.db.selectFrom('outbox_messages').selectAll().orderBy('id').execute();
}

for (const backend of await backends()) {
  test(`webhooks (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    const receiver = await startReceiver();
    t.after(async () => {
      await receiver.close();
      await s.close();
    });
    const clock = manualClock();
    const dispatcher = new OutboxDispatcher({
      store: s.store,
      sealer: s.services.sealer,
      outbound: s.services.outbound,
      clock,
      publicUrl: s.config.publicUrl,
    });
    const tenant = await demo(s);
    const admin = { authorization: `Bearer ${(await passwordGrant(s)).json().access_token}` };
    const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers = admin) =>
      s.app.inject({ method, url: `/t/demo/api/v1${url}`, headers, ...(payload ? { payload } : {}) });

    let hook: { id: string; secret: string };
    await t.test('create shows the secret once; it is stored sealed', async () => {
      const r = await api('POST', '/webhooks', {
        url: receiver.url,
        events: ['app.secret_regenerated', 'app.deactivated', 'signing_key.rotated'],
        description: 'ops',
      });
      assert.equal(r.statusCode, 201, r.body);
      hook = r.json();
      assert.match(hook.secret, /^whsec_/);
      assert.deepEqual(r.json().events, ['app.deactivated', 'app.secret_regenerated', 'signing_key.rotated']);
      const got = await api('GET', `/webhooks/${hook.id}`);
      assert.equal(got.statusCode, 200);
      assert.equal(got.json().secret, undefined);
      assert.ok(!(await api('GET', '/webhooks')).body.includes(hook.secret));
      const row = await s.store.db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', '=', hook.id)
        .executeTakeFirstOrThrow();
      assert.ok(!row.secret_sealed.includes(hook.secret.slice(6)));
      const audit = await s.store.audit.list(tenant.id, { targetId: hook.id }, 5);
      assert.deepEqual(
        audit.map((e) => e.action),
        ['webhook.created'],
      );
      assert.ok(!JSON.stringify(audit).includes(hook.secret.slice(6)));
    });

    await t.test('bad input is refused with a specific problem and creates nothing', async () => {
      const cases: Array<[object, RegExp]> = [
        [{ url: 'http://hooks.example.com/x', events: ['app.deactivated'] }, /https/],
        [{ url: 'ftp://127.0.0.1/x', events: ['app.deactivated'] }, /https/],
        [{ url: 'https://u:p@hooks.example.com/x', events: ['app.deactivated'] }, /credentials/],
        [{ url: 'https://hooks.example.com/x', events: ['app.nope'] }, /events/],
        [{ url: 'https://hooks.example.com/x', events: [] }, /events/],
      ];
      for (const [payload, detail] of cases) {
        const r = await api('POST', '/webhooks', payload);
        assert.equal(r.statusCode, 400, r.body);
        assert.match(r.json().detail, detail);
      }
      assert.equal((await api('GET', '/webhooks')).json().items.length, 1);
    });

    await t.test('a plain user can neither manage webhooks nor read the delivery log', async () => {
      await createUser(
        s.store,
        tenant,
        { email: 'plain@demo.test', displayName: 'plain', password: PASSWORD, roleIds: [] },
        SYSTEM,
      );
      const tok = (
        await token(s, {
          grant_type: 'password',
          client_id: 'latchkey-sdk',
          username: 'plain@demo.test',
          password: PASSWORD,
        })
      ).json().access_token;
      const plain = { authorization: `Bearer ${tok}` };
      assert.equal((await api('GET', '/webhooks', undefined, plain)).statusCode, 403);
      assert.equal((await api('GET', `/webhooks/${hook.id}/deliveries`, undefined, plain)).statusCode, 403);
      assert.equal(
        (await api('POST', '/webhooks', { url: receiver.url, events: ['app.deactivated'] }, plain)).statusCode,
        403,
      );
    });

    await t.test('a rolled-back change announces nothing', async () => {
      const app = await makeApp(s, { name: 'rollback' });
      const before = (await outboxRows(s)).length;
      await assert.rejects(
        s.store.transaction(async (tx) => {
          await recordAudit(tx, {
            tenantId: tenant.id,
            actorType: 'system',
            actorId: null,
            action: 'app.deactivated',
            targetType: 'app',
            targetId: app.id,
            details: {},
          });
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal((await outboxRows(s)).length, before);
      // A use-case that fails half-way (regenerating a deleted app's secret) announces nothing either.
      await assert.rejects(regenerateAppSecret(s.store, s.services.hasher, tenant, 'no-such-app', SYSTEM));
      assert.equal((await outboxRows(s)).length, before);
    });

    await t.test(
      'signed deliveries; 500 twice then 200: three attempts of one webhook-id, later each time',
      async () => {
        const app = await makeApp(s, { name: 'billing' });
        receiver.statuses.push(500, 500);
        await setAppActive(s.store, tenant, app.id, false, SYSTEM);
        const [msg] = (await outboxRows(s)).filter((m) => m.event_type === 'app.deactivated');
        assert.equal(msg.state, 'pending');
        await dispatcher.tick();
        await dispatcher.tick(); // not due yet: nothing sent
        assert.equal(receiver.received.length, 1);
        clock.advance(5_000);
        await dispatcher.tick();
        assert.equal(receiver.received.length, 2);
        clock.advance(10_000);
        await dispatcher.tick(); // the second retry waits 30 s
        assert.equal(receiver.received.length, 2);
        clock.advance(20_000);
        await dispatcher.tick();
        assert.equal(receiver.received.length, 3);
        const [a, b, c] = receiver.received;
        assert.deepEqual([a.id, b.id, c.id], [msg.id, msg.id, msg.id]);
        assert.match(msg.id, /^msg_/);
        for (const r of receiver.received) {
          assert.ok(
            verifyWebhook(hook.secret, r.id, r.timestamp, r.body, r.signature),
            'signature verifies with the secret shown once',
          );
          assert.equal(r.body, a.body, 'the same body every time');
        }
        assert.ok(
          b.timestamp - a.timestamp >= 5 &&
            c.timestamp - b.timestamp >= 30 &&
            c.timestamp - b.timestamp > b.timestamp - a.timestamp,
        );
        const body = JSON.parse(a.body);
        assert.equal(body.type, 'app.deactivated');
        assert.equal(body.data.tenant, 'demo');
        assert.equal(body.data.clientId, app.clientId);
        assert.equal(body.data.name, 'billing');
        assert.ok(!a.body.includes(app.clientSecret));

        const log = await api('GET', `/webhooks/${hook.id}/deliveries`);
        assert.equal(log.statusCode, 200, log.body);
        const d = log.json().items.find((x: { messageId: string }) => x.messageId === msg.id);
        assert.equal(d.state, 'delivered');
        assert.equal(d.attempts, 3);
        assert.equal(d.eventType, 'app.deactivated');
        assert.equal(d.nextAttemptAt, null);
        assert.deepEqual(
          d.log.map((x: { statusCode: number }) => x.statusCode),
          [500, 500, 200],
        );
        assert.equal(d.log[0].error, 'HTTP 500');
        assert.ok(d.log.every((x: { durationMs: number }) => Number.isInteger(x.durationMs)));
        const page = await api('GET', `/webhooks/${hook.id}/deliveries?limit=1&state=delivered`);
        assert.equal(page.json().items.length, 1);
      },
    );

    await t.test(
      'unsubscribed events and disabled endpoints get nothing; secret rotation signs with the new secret',
      async () => {
        const before = (await outboxRows(s)).length;
        const app = await makeApp(s, { name: 'quiet' });
        await setAppActive(s.store, tenant, app.id, true, SYSTEM); // app.activated: not an event
        assert.equal((await outboxRows(s)).length, before);
        assert.equal((await api('PATCH', `/webhooks/${hook.id}`, { enabled: false })).json().enabled, false);
        await regenerateAppSecret(s.store, s.services.hasher, tenant, app.id, SYSTEM);
        assert.equal((await outboxRows(s)).length, before);
        await api('PATCH', `/webhooks/${hook.id}`, { enabled: true });
        const rotated = await api('POST', `/webhooks/${hook.id}/secret`);
        assert.equal(rotated.statusCode, 200);
        const secret = rotated.json().secret;
        assert.notEqual(secret, hook.secret);
        await regenerateAppSecret(s.store, s.services.hasher, tenant, app.id, SYSTEM);
        const n = receiver.received.length;
        await dispatcher.tick();
        const last = receiver.received[n];
        assert.equal(JSON.parse(last.body).type, 'app.secret_regenerated');
        assert.ok(verifyWebhook(secret, last.id, last.timestamp, last.body, last.signature));
        assert.ok(!verifyWebhook(hook.secret, last.id, last.timestamp, last.body, last.signature));
      },
    );

    await t.test('a signing-key rotation through the API is announced', async () => {
      const n = receiver.received.length;
      const r = await api('POST', '/signing-keys/rotate', {});
      assert.equal(r.statusCode, 200, r.body);
      await dispatcher.tick();
      const body = JSON.parse(receiver.received[n].body);
      assert.equal(body.type, 'signing_key.rotated');
      assert.equal(body.data.tenant, 'demo');
      assert.equal(body.data.targetType, 'signing_key');
      assert.ok(body.data.targetId);
    });

    await t.test('a leaked personal client is announced as revoked and as reported leaked', async () => {
      const r = await api('POST', '/webhooks', {
        url: receiver.url,
        events: ['personal_client.revoked', 'personal_client.reported_leaked'],
      });
      assert.equal(r.statusCode, 201);
      const owner = (await s.services.principals.get(
        tenant.id,
        (await s.store.users.byEmail(tenant.id, 'admin@demo.test'))!.id,
      ))!;
      const { client, clientSecret } = await createPersonalClient(s.store, s.services.hasher, tenant, owner, {
        name: 'leaky',
        expiresAt: Date.now() + 86_400_000,
      });
      assert.equal(
        await reportLeak(s.services, clientSecret, {
          reporter: 'github',
          url: 'https://github.com/o/r/blob/main/x',
          source: 'content',
        }),
        'true_positive',
      );
      const n = receiver.received.length;
      await dispatcher.tick();
      await dispatcher.tick();
      const got = receiver.received
        .slice(n)
        .map((x) => JSON.parse(x.body))
        .filter((b) => b.data.clientId === client.clientId);
      assert.deepEqual(got.map((b) => b.type).sort(), ['personal_client.reported_leaked', 'personal_client.revoked']);
      const leak = got.find((b) => b.type === 'personal_client.reported_leaked');
      assert.equal(leak.data.url, 'https://github.com/o/r/blob/main/x');
      assert.equal(leak.data.reporter, 'github');
      assert.equal(leak.data.owner.email, 'admin@demo.test');
      assert.ok(!JSON.stringify(got).includes(clientSecret));
      assert.equal((await api('DELETE', `/webhooks/${r.json().id}`)).statusCode, 204);
    });

    await t.test('a day of failures ends in failed', async () => {
      const app = await makeApp(s, { name: 'doomed' });
      receiver.statuses.push(...Array(30).fill(503));
      await setAppActive(s.store, tenant, app.id, false, SYSTEM);
      for (let i = 0; i < 30; i++) {
        await dispatcher.tick();
        clock.advance(8 * 3600_000);
      }
      const m = (await outboxRows(s)).filter((r) => r.event_type === 'app.deactivated').pop()!;
      assert.equal(m.state, 'failed');
      assert.ok(m.attempts >= 3 && m.attempts < 30, `${m.attempts} attempts`);
      receiver.statuses.length = 0;
    });

    await t.test('several dispatchers: one attempt in flight per endpoint, each message delivered once', async () => {
      const slow = await startReceiver({ delayMs: 100 });
      t.after(() => slow.close());
      const r = await api('POST', '/webhooks', { url: slow.url, events: ['app.deactivated'] });
      assert.equal(r.statusCode, 201);
      for (const name of ['one', 'two', 'three', 'four']) {
        const app = await makeApp(s, { name });
        await setAppActive(s.store, tenant, app.id, false, SYSTEM);
      }
      const others = [1, 2, 3].map(
        () =>
          new OutboxDispatcher({
            store: s.store,
            sealer: s.services.sealer,
            outbound: s.services.outbound,
            clock,
            publicUrl: s.config.publicUrl,
          }),
      );
      for (let i = 0; i < 4 && slow.received.length < 4; i++)
        await Promise.all([dispatcher, ...others].map((d) => d.tick()));
      assert.equal(slow.received.length, 4);
      assert.equal(new Set(slow.received.map((x) => x.id)).size, 4);
      assert.equal(slow.maxInFlight(), 1);
    });

    await t.test('delete drops the endpoint and its log', async () => {
      assert.equal((await api('DELETE', `/webhooks/${hook.id}`)).statusCode, 204);
      assert.equal((await api('GET', `/webhooks/${hook.id}`)).statusCode, 404);
      assert.equal((await api('GET', `/webhooks/${hook.id}/deliveries`)).statusCode, 404);
      assert.equal((await outboxRows(s)).filter((m) => m.endpoint_id === hook.id).length, 0);
    });
  });
}

// SEND TEST EVENT over real HTTP: the server listens on loopback, a receiver on loopback checks each
// request's Standard Webhooks signature, and the message travels the one delivery path (the outbox and
// its dispatcher): signed, retried, in the delivery log, the endpoints' list showing its last delivery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { ADMIN_EMAIL, ADMIN_PASSWORD, backends, createTestServer } from '../helpers/harness.js';
import { OutboxDispatcher } from '../../src/delivery/dispatcher.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { createUser } from '../../src/domain/users/service.js';

const PLAIN = { email: 'plain@demo.test', password: 'a sufficiently long password' };

for (const backend of await backends()) {
  test(`send test event (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    let secret: string | undefined;
    const receiver = await startReceiver({ secret: () => secret });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    t.after(async () => {
      await receiver.close();
      await s.close();
    });
    const base = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}/t/demo`;
    let offset = 0;
    const dispatcher = new OutboxDispatcher({
      store: s.store,
      sealer: s.services.sealer,
      outbound: s.services.outbound,
      clock: { now: () => Date.now() + offset },
      publicUrl: s.config.publicUrl,
    });
    const tokenFor = async (email: string, password: string) => {
      const r = await fetch(`${base}/oauth2/v1/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'password', client_id: 'latchkey-sdk', username: email, password }),
      });
      assert.equal(r.status, 200);
      return ((await r.json()) as { access_token: string }).access_token;
    };
    const adminToken = await tokenFor(ADMIN_EMAIL, ADMIN_PASSWORD);
    const api = async (method: string, path: string, body?: object, token = adminToken) => {
      const r = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      return { status: r.status, type: r.headers.get('content-type'), body: text ? JSON.parse(text) : null };
    };
    const tenantId = (await s.store.tenants.bySlug('demo'))!.id;
    const outbox = () => s.store.db.selectFrom('outbox_messages').selectAll().execute();
    const testAudits = async (id: string) =>
      (await s.store.audit.list(tenantId, { targetId: id }, 50)).filter((e) => e.action === 'webhook.test_sent');

    // Subscribed to one unrelated event only: the test event goes to the endpoint whatever it subscribes to.
    const created = await api('POST', '/webhooks', { url: receiver.url, events: ['signing_key.rotated'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const hook = created.body as { id: string; secret: string; lastDelivery: unknown };
    assert.equal(hook.lastDelivery, null);
    secret = hook.secret;

    await t.test('the list of event types says what each means', async () => {
      const r = await api('GET', '/webhooks/event-types');
      assert.equal(r.status, 200);
      const types = r.body.items as Array<{ type: string; description: string }>;
      assert.ok(types.some((e) => e.type === 'personal_client.revoked' && /revoked/.test(e.description)));
      assert.ok(types.every((e) => e.description.length > 10));
      assert.ok(!types.some((e) => e.type === 'webhook.test'), 'nobody subscribes to the test event');
    });

    await t.test('queued (202), delivered signed, in the log and the list, audited', async () => {
      const r = await api('POST', `/webhooks/${hook.id}/test`);
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.match(r.body.messageId, /^msg_/);
      assert.equal(r.body.eventType, 'webhook.test');
      assert.equal(r.body.state, 'pending');
      assert.equal(r.body.attempts, 0);
      const rows = (await outbox()).filter((m) => m.endpoint_id === hook.id);
      assert.deepEqual(
        rows.map((m) => [m.id, m.event_type, m.state, m.channel]),
        [[r.body.messageId, 'webhook.test', 'pending', 'webhook']],
      );

      await dispatcher.tick();
      assert.equal(receiver.received.length, 1);
      const got = receiver.received[0];
      assert.equal(got.verified, true, 'signed with the secret shown once');
      assert.equal(got.id, r.body.messageId);
      const body = JSON.parse(got.body);
      assert.equal(body.type, 'webhook.test');
      assert.equal(body.data.tenant, 'demo');
      assert.equal(body.data.targetId, hook.id);
      assert.ok(!got.body.includes(hook.secret.slice(6)));

      const log = await api('GET', `/webhooks/${hook.id}/deliveries`);
      assert.equal(log.status, 200);
      assert.equal(log.body.items.length, 1);
      const d = log.body.items[0];
      assert.deepEqual(
        [d.messageId, d.eventType, d.state, d.attempts, d.lastStatusCode, d.nextAttemptAt],
        [r.body.messageId, 'webhook.test', 'delivered', 1, 200, null],
      );

      const list = await api('GET', '/webhooks');
      const last = list.body.items.find((e: { id: string }) => e.id === hook.id).lastDelivery;
      assert.equal(last.messageId, r.body.messageId);
      assert.equal(last.state, 'delivered');
      assert.equal(last.lastStatusCode, 200);
      assert.equal(last.attempts, 1);
      assert.ok(last.lastAttemptAt);
      assert.equal((await api('GET', `/webhooks/${hook.id}`)).body.lastDelivery.messageId, r.body.messageId);

      const audits = await testAudits(hook.id);
      assert.equal(audits.length, 1);
      assert.equal(audits[0].actorId, (await s.store.users.byEmail(tenantId, ADMIN_EMAIL))!.id);
      assert.deepEqual(audits[0].details, { messageId: r.body.messageId });
    });

    await t.test('a failed attempt is retried with backoff; the log shows each attempt', async () => {
      receiver.statuses.push(503);
      const r = await api('POST', `/webhooks/${hook.id}/test`);
      assert.equal(r.status, 202);
      await dispatcher.tick();
      let d = (await api('GET', `/webhooks/${hook.id}/deliveries?limit=1`)).body.items[0];
      assert.equal(d.messageId, r.body.messageId);
      assert.equal(d.state, 'pending');
      assert.equal(d.attempts, 1);
      assert.equal(d.lastStatusCode, 503);
      assert.equal(d.lastError, 'HTTP 503');
      assert.ok(Date.parse(d.nextAttemptAt) > Date.now(), 'the retry waits');
      const list = await api('GET', '/webhooks');
      assert.equal(list.body.items[0].lastDelivery.state, 'pending');
      assert.equal(list.body.items[0].lastDelivery.lastStatusCode, 503);

      offset += 6_000;
      await dispatcher.tick();
      d = (await api('GET', `/webhooks/${hook.id}/deliveries?limit=1`)).body.items[0];
      assert.equal(d.state, 'delivered');
      assert.equal(d.attempts, 2);
      assert.deepEqual(
        d.log.map((a: { statusCode: number }) => a.statusCode),
        [503, 200],
      );
      const [a, b] = receiver.received.slice(-2);
      assert.equal(a.id, b.id, 'the same webhook-id on the retry');
      assert.ok(a.verified && b.verified);
    });

    await t.test('after a rotation the test event is signed with the new secret only', async () => {
      const rotated = await api('POST', `/webhooks/${hook.id}/secret`);
      assert.equal(rotated.status, 200);
      const old = secret;
      secret = rotated.body.secret;
      assert.notEqual(secret, old);
      assert.equal(rotated.body.lastDelivery.state, 'delivered');
      assert.equal((await api('POST', `/webhooks/${hook.id}/test`)).status, 202);
      await dispatcher.tick();
      assert.equal(receiver.received.at(-1)!.verified, true);
    });

    await t.test('a receiver that rejects the signature shows as a failed attempt (401)', async () => {
      const real = secret;
      secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64'); // the receiver was given a wrong secret
      assert.equal((await api('POST', `/webhooks/${hook.id}/test`)).status, 202);
      await dispatcher.tick();
      secret = real;
      assert.equal(receiver.received.at(-1)!.verified, false);
      const d = (await api('GET', `/webhooks/${hook.id}/deliveries?limit=1`)).body.items[0];
      assert.equal(d.state, 'pending');
      assert.equal(d.lastStatusCode, 401);
      offset += 6_000;
      await dispatcher.tick();
      assert.equal((await api('GET', `/webhooks/${hook.id}/deliveries?limit=1`)).body.items[0].state, 'delivered');
    });

    await t.test('refusals are problem documents and queue nothing', async () => {
      const before = { messages: (await outbox()).length, audits: (await testAudits(hook.id)).length };
      const unknown = await api('POST', '/webhooks/wh_nope/test');
      assert.equal(unknown.status, 404);
      assert.match(unknown.type!, /application\/problem\+json/);
      assert.equal(unknown.body.code, 'not_found');
      assert.match(unknown.body.detail, /wh_nope not found/);

      assert.equal((await api('PATCH', `/webhooks/${hook.id}`, { enabled: false })).body.enabled, false);
      const disabled = await api('POST', `/webhooks/${hook.id}/test`);
      assert.equal(disabled.status, 409);
      assert.equal(disabled.body.code, 'conflict');
      assert.match(disabled.body.detail, /disabled.*enable it/);

      await createUser(
        s.store,
        (await s.store.tenants.bySlug('demo'))!,
        { email: PLAIN.email, displayName: 'plain', password: PLAIN.password, roleIds: [] },
        { type: 'system', id: null },
      );
      const plain = await api(
        'POST',
        `/webhooks/${hook.id}/test`,
        undefined,
        await tokenFor(PLAIN.email, PLAIN.password),
      );
      assert.equal(plain.status, 403);
      assert.equal(plain.body.code, 'forbidden');
      const anonymous = await fetch(`${base}/api/v1/webhooks/${hook.id}/test`, { method: 'POST' });
      assert.equal(anonymous.status, 401);

      assert.equal((await outbox()).length, before.messages);
      assert.equal((await testAudits(hook.id)).length, before.audits);
      await api('PATCH', `/webhooks/${hook.id}`, { enabled: true });
    });

    await t.test('the OpenAPI document describes the route and its refusals', async () => {
      const doc = (await (await fetch(`${base.replace(/\/t\/demo$/, '')}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      };
      const op = doc.paths['/t/{tenant}/api/v1/webhooks/{id}/test']?.post;
      assert.ok(op, 'documented');
      assert.deepEqual(Object.keys(op.responses).sort(), ['202', '401', '403', '404', '409']);
      assert.ok(doc.paths['/t/{tenant}/api/v1/webhooks/event-types']?.get);
    });
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, type TestServer } from '../helpers/harness.js';
import { demo, makeApp } from '../helpers/oauth.js';
import { createTenant } from '../../src/domain/tenants/service.js';
import { createUser } from '../../src/domain/users/service.js';
import { setAppActive } from '../../src/domain/clients/apps.js';
import { createEndpoint, updateEndpoint } from '../../src/domain/webhooks/endpoints.js';
import { reportLeak } from '../../src/domain/secret-scanning/report-leak.js';
import { DOMAIN_MANAGER } from '../../src/domain/roles/model.js';
import { SYSTEM } from '../../src/domain/audit/actor.js';
import { OutboxDispatcher } from '../../src/delivery/dispatcher.js';
import { smtpMailer } from '../../src/delivery/mailer.js';
import { systemClock, type Clock } from '../../src/lib/clock.js';
import { until } from '../helpers/until.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { startSmtp } from '../helpers/smtp.js';

/** How long the slow webhook receiver and the slow mail system take for each message. */
const SLOW_MS = 3000;
const OTHER_MANAGER = 'boss@other.test';
const REPORT = { reporter: 'github' as const, url: 'https://github.com/o/r/blob/main/.env', source: 'content' };

const messages = (s: TestServer, tenantId: string) =>
  s.store.db.selectFrom('outbox_messages').select(['channel', 'state']).where('tenant_id', '=', tenantId).execute();

for (const backend of await backends()) {
  test(`a slow webhook endpoint or mail recipient delays only itself (${backend})`, async (t) => {
    const smtp = await startSmtp({ slowRecipients: [ADMIN_EMAIL], delayMs: SLOW_MS });
    const s = await createTestServer(backend, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    const slow = await startReceiver({ delayMs: SLOW_MS });
    const fast = await startReceiver();
    const mailer = smtpMailer(`smtp://127.0.0.1:${smtp.port}`, 'Latchkey <noreply@latchkey.test>');
    // The real clock, counting its readers: every poll, lease and send of the dispatcher reads it.
    let clockReads = 0;
    const clock: Clock = {
      now: () => {
        clockReads++;
        return systemClock.now();
      },
    };
    const dispatcher = new OutboxDispatcher({
      store: s.store,
      sealer: s.services.sealer,
      outbound: s.services.outbound,
      clock,
      mailer,
      publicUrl: s.config.publicUrl,
      pollMs: 50,
    });
    // Started after the first one stops: a process's next dispatcher, with the same poll period.
    const next = new OutboxDispatcher({
      store: s.store,
      sealer: s.services.sealer,
      outbound: s.services.outbound,
      clock: systemClock,
      publicUrl: s.config.publicUrl,
      pollMs: 50,
    });
    t.after(async () => {
      await dispatcher.stop();
      await next.stop();
      mailer.close();
      await Promise.all([slow.close(), fast.close(), smtp.close()]);
      await s.close();
    });

    const tenant = await demo(s);
    const other = await createTenant(s.store, { slug: 'other', name: 'Other' }, SYSTEM);
    const managerRole = (await s.store.roles.list(other.id)).find((r) => r.builtin === DOMAIN_MANAGER)!;
    await createUser(
      s.store,
      other,
      {
        email: OTHER_MANAGER,
        displayName: 'Boss',
        password: 'a sufficiently long password',
        roleIds: [managerRole.id],
      },
      SYSTEM,
    );
    const slowEndpoint = (
      await createEndpoint(s.store, s.services.sealer, tenant, { url: slow.url, events: ['app.deactivated'] }, SYSTEM)
    ).endpoint;
    await createEndpoint(s.store, s.services.sealer, other, { url: fast.url, events: ['app.deactivated'] }, SYSTEM);

    // demo: three events for its slow endpoint, and a leak emailed to its manager, whose mail system is slow.
    for (const name of ['one', 'two', 'three'])
      await setAppActive(s.store, tenant, (await makeApp(s, { name })).id, false, SYSTEM);
    assert.equal(
      await reportLeak(s.services, (await makeApp(s, { name: 'leaky' })).clientSecret, REPORT),
      'true_positive',
    );
    dispatcher.start();
    await slow.waitFor(1);

    // Meanwhile another tenant's event and email go out at once.
    const started = Date.now();
    await setAppActive(s.store, other, (await makeApp(s, { name: 'other app' }, 'other')).id, false, SYSTEM);
    assert.equal(
      await reportLeak(s.services, (await makeApp(s, { name: 'other leaky' }, 'other')).clientSecret, REPORT),
      'true_positive',
    );
    await fast.waitFor(1, 20_000);
    const hookMs = Date.now() - started;
    const mail = await until(
      "the other tenant's email",
      () => smtp.mails.find((m) => m.to.includes(OTHER_MANAGER)),
      20_000,
    );
    const mailMs = mail.at - started;
    assert.ok(hookMs < 1000, `the other tenant's webhook arrived after ${hookMs} ms`);
    assert.ok(mailMs < 1000, `the other tenant's email arrived after ${mailMs} ms`);
    assert.equal(JSON.parse(fast.received[0].body).data.tenant, 'other');
    assert.ok(slow.received.length < 3, 'the slow endpoint is still working through its queue');
    assert.ok(!smtp.mails.some((m) => m.to.includes(ADMIN_EMAIL)), "the slow recipient's email is still on its way");
    // Recorded as delivered (the record follows the receiver's answer by a moment).
    await until(
      "the other tenant's deliveries recorded",
      async () => {
        const rows = (await messages(s, other.id)).map((m) => `${m.channel}:${m.state}`).sort();
        return rows.join() === 'email:delivered,webhook:delivered';
      },
      2000,
    );
    assert.ok(
      (await messages(s, tenant.id)).filter((m) => m.channel === 'webhook' && m.state === 'pending').length >= 2,
    );

    // A graceful stop waits for the attempts in flight to be recorded, not for the queue to drain.
    const stopping = Date.now();
    await dispatcher.stop();
    const stopMs = Date.now() - stopping;
    t.diagnostic(`the other tenant's webhook after ${hookMs} ms, its email after ${mailMs} ms; stop took ${stopMs} ms`);
    assert.ok(stopMs < SLOW_MS + 1000, `stopped after ${stopMs} ms`);
    const demoRows = await messages(s, tenant.id);
    const hooks = demoRows.filter((m) => m.channel === 'webhook');
    assert.equal(
      hooks.filter((m) => m.state === 'delivered').length,
      slow.received.length,
      'every attempt made was recorded',
    );
    assert.ok(
      hooks.some((m) => m.state === 'pending'),
      'the rest waits for the next start',
    );
    const leases = await s.store.db.selectFrom('webhook_endpoints').select('lease_owner').execute();
    assert.ok(
      leases.every((l) => l.lease_owner === null),
      'leases released',
    );

    // Nothing is sent after stop: the stopped dispatcher reads its clock no more (it polls, leases and
    // sends nothing without it) while the next one, started after it stopped, delivers a new event of
    // the other tenant. Its first poll comes a full period after its start, so a timer of the stopped
    // one left running would have fired by then. (The slow endpoint is switched off first: the next
    // dispatcher would work through its queue, and its stop wait for each 3 s answer.)
    const readsAtStop = clockReads;
    await updateEndpoint(s.store, tenant, slowEndpoint.id, { enabled: false }, SYSTEM);
    await setAppActive(s.store, other, (await makeApp(s, { name: 'after stop' }, 'other')).id, false, SYSTEM);
    next.start();
    await fast.waitFor(2);
    assert.equal(JSON.parse(fast.received[1].body).data.name, 'after stop');
    assert.equal(clockReads, readsAtStop, 'nothing is polled, leased or sent after stop');
  });

  test(`the dispatcher delivers at most its bound of endpoints at a time (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    const receiver = await startReceiver({ delayMs: 300 });
    const dispatcher = new OutboxDispatcher({
      store: s.store,
      sealer: s.services.sealer,
      outbound: s.services.outbound,
      clock: systemClock,
      publicUrl: s.config.publicUrl,
      pollMs: 20,
      maxEndpoints: 2,
    });
    t.after(async () => {
      await dispatcher.stop();
      await receiver.close();
      await s.close();
    });
    const tenant = await demo(s);
    for (const i of [1, 2, 3, 4])
      await createEndpoint(
        s.store,
        s.services.sealer,
        tenant,
        { url: `${receiver.url}?n=${i}`, events: ['app.deactivated'] },
        SYSTEM,
      );
    await setAppActive(s.store, tenant, (await makeApp(s)).id, false, SYSTEM);
    dispatcher.start();
    await receiver.waitFor(4);
    assert.equal(receiver.maxInFlight(), 2);
  });
}

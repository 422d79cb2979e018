import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signWebhook, verifyWebhook, newWebhookSecret } from '../../../src/domain/webhooks/signature.js';
import { nextAttemptAt, RETRY_DELAYS_MS, RETRY_FOR_MS } from '../../../src/domain/webhooks/backoff.js';
import { checkWebhookUrl } from '../../../src/domain/webhooks/url.js';
import { emailsAbout, webhookEventFor, webhookPayload } from '../../../src/domain/webhooks/events.js';
import { emailFor } from '../../../src/delivery/email.js';
import { DomainError } from '../../../src/domain/errors.js';

test('the signer reproduces the Standard Webhooks test vector', () => {
  // From the Standard Webhooks reference libraries (the svix/standardwebhooks test suites).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const sig = signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
  assert.equal(sig, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  assert.ok(
    verifyWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}', `v1,bm9wZQ== ${sig}`),
  );
  assert.ok(!verifyWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265331, '{"test": 2432232314}', sig));
  assert.ok(
    !verifyWebhook(newWebhookSecret(), 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}', sig),
  );
  assert.match(newWebhookSecret(), /^whsec_[A-Za-z0-9+/]{43}=$/);
});

test('retries back off exponentially and stop a day after the event', () => {
  const t0 = 1_000_000;
  assert.equal(nextAttemptAt(t0, 1, t0), t0 + 5000);
  assert.equal(nextAttemptAt(t0, 2, t0 + 5000), t0 + 5000 + 30_000);
  for (let i = 1; i < RETRY_DELAYS_MS.length; i++) assert.ok(RETRY_DELAYS_MS[i] > RETRY_DELAYS_MS[i - 1]);
  // Walk the whole schedule: it ends (null) once the next attempt would fall after the day.
  let now = t0;
  let attempts = 0;
  for (let next = nextAttemptAt(t0, ++attempts, now); next !== null; next = nextAttemptAt(t0, ++attempts, now))
    now = next;
  assert.ok(now <= t0 + RETRY_FOR_MS && now > t0 + RETRY_FOR_MS / 2, `last attempt at +${(now - t0) / 3600_000} h`);
  assert.ok(attempts >= 9 && attempts <= 12, `${attempts} attempts`);
});

test('webhook URLs: https, or http to loopback; no credentials, no other schemes', () => {
  assert.equal(checkWebhookUrl('https://hooks.example.com/x'), 'https://hooks.example.com/x');
  assert.equal(checkWebhookUrl('http://127.0.0.1:9999/hook'), 'http://127.0.0.1:9999/hook');
  assert.equal(checkWebhookUrl('http://localhost/hook'), 'http://localhost/hook');
  const refused: Array<[string, RegExp]> = [
    ['http://hooks.example.com/x', /https.*loopback/],
    ['http://foo.localhost/x', /https.*loopback/], // not loopback by name: it resolves like any other
    ['ftp://hooks.example.com/x', /must use https/],
    ['file:///etc/passwd', /must use https/],
    ['https://user:pass@hooks.example.com/x', /credentials/],
    ['https://hooks.example.com/x#frag', /fragment/],
    ['not a url', /absolute URL/],
  ];
  for (const [url, reason] of refused) {
    assert.throws(
      () => checkWebhookUrl(url),
      (e: unknown) => e instanceof DomainError && e.code === 'invalid' && reason.test(e.message),
      url,
    );
  }
});

test('one mapping from audit action to event type; payloads carry no secrets', () => {
  const ev = (action: string, targetType = 'oauth2_client') => webhookEventFor({ action, targetType, tenantId: 't' });
  assert.equal(ev('personal_client.created'), 'personal_client.created');
  assert.equal(ev('personal_client.expiring'), 'personal_client.expiring');
  assert.equal(ev('personal_client.expired'), 'personal_client.expired');
  assert.equal(ev('app.expired', 'app'), null, "an application's expiry is no personal client's");
  assert.equal(ev('personal_client.revoked'), 'personal_client.revoked');
  assert.equal(ev('personal_client.reported_leaked'), 'personal_client.reported_leaked');
  assert.equal(ev('personal_client.secret_rotated'), 'personal_client.secret_rotated');
  assert.equal(ev('app.secret_regenerated', 'app'), 'app.secret_regenerated');
  assert.equal(ev('app.deactivated', 'app'), 'app.deactivated');
  assert.equal(ev('app.updated', 'app'), null);
  assert.equal(ev('refresh_token.reuse_detected', 'refresh_token_family'), 'refresh_token.reuse_detected');
  assert.equal(ev('signing_key.rotated', 'signing_key'), 'signing_key.rotated');
  assert.equal(ev('app.reported_leaked', 'app'), 'app.reported_leaked');
  assert.equal(ev('refresh_token.reported_leaked', 'refresh_token_family'), 'refresh_token.reported_leaked');
  assert.ok(emailsAbout('app.reported_leaked', {}) && emailsAbout('refresh_token.reported_leaked', {}));
  assert.equal(webhookEventFor({ action: 'signing_key.rotated', targetType: 'signing_key', tenantId: null }), null);
  assert.ok(emailsAbout('personal_client.revoked', { by: 'owner' }));
  assert.ok(
    !emailsAbout('personal_client.revoked', { by: 'policy', reason: 'reported_leaked' }),
    'the leak email says it',
  );
  assert.ok(emailsAbout('personal_client.reported_leaked', {}));
  assert.ok(!emailsAbout('personal_client.created', {}));
  const p = webhookPayload(
    'personal_client.revoked',
    {
      tenantId: 't',
      actorType: 'user',
      actorId: 'u1',
      action: 'personal_client.revoked',
      targetType: 'oauth2_client',
      targetId: 'c1',
      details: { name: 'ci', by: 'owner', clientSecret: 'lk_cs_x', secretHash: 'h', refreshToken: 'lk_rt_x' },
    },
    0,
    { tenant: 'demo', client: { id: 'c1', clientId: 'lk_pc_1', name: 'ci', ownerId: 'u1', ownerEmail: 'o@x' } },
  );
  assert.deepEqual(p, {
    type: 'personal_client.revoked',
    timestamp: '1970-01-01T00:00:00.000Z',
    data: {
      tenant: 'demo',
      targetType: 'oauth2_client',
      targetId: 'c1',
      actor: { type: 'user', id: 'u1' },
      name: 'ci',
      by: 'owner',
      clientId: 'lk_pc_1',
      owner: { id: 'u1', email: 'o@x' },
    },
  });
});

test('a rotation is emailed when a manager did it, and says when the old secret stops', () => {
  assert.ok(!emailsAbout('personal_client.secret_rotated', { by: 'owner' }), 'the owner knows already');
  assert.ok(emailsAbout('personal_client.secret_rotated', { by: 'manager' }));
  const data = { tenant: 'demo', name: 'ci', clientId: 'lk_pc_1', by: 'manager' };
  const at = (overlapEndsAt: string | null) =>
    emailFor(
      { type: 'personal_client.secret_rotated', timestamp: '', data: { ...data, overlapEndsAt } },
      'https://id.example',
    );
  assert.match(at(null).subject, /"?ci"? got a new secret from a domain manager/);
  assert.match(at(null).text, /old secret stopped working at once/);
  assert.match(at('2030-01-01T00:00:00.000Z').text, /keeps working until 2030-01-01T00:00:00.000Z/);
  const leak = emailFor(
    { type: 'app.reported_leaked', timestamp: '', data: { ...data, overlapEnded: true } },
    'https://id.example',
  );
  assert.match(leak.subject, /replaced secret of ci stopped working/);
  assert.match(leak.text, /current secret was not reported and keeps working/);
});

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, type TestServer } from '../../helpers/harness.js';
import { demo, makeApp } from '../../helpers/oauth.js';
import { startCiIssuer, type CiIssuer } from '../../helpers/ci-issuer.js';
import { freePort } from '../../helpers/process.js';
import type { Tenant } from '../../../src/domain/tenants/model.js';
import type { Announcement } from '../../../src/domain/changes.js';
import type { FederationPolicyInput } from '../../../src/domain/federation/policies.js';
import { federationGrantId } from '../../../src/domain/federation/model.js';
import { IssuerProblem } from '../../../src/domain/sso/discovery.js';
import { DomainError } from '../../../src/domain/errors.js';

const MANAGER = { type: 'user' as const, id: 'manager-1' };

for (const backend of await backends()) {
  describe(`federation policies: rules and storage (${backend})`, () => {
    let s: TestServer;
    let ci: CiIssuer;
    let tenant: Tenant;
    let appId: string;
    const heard: Announcement[] = [];
    const policies = () => s.services.federationPolicies;
    const input = (over: Partial<FederationPolicyInput> = {}): FederationPolicyInput => ({
      name: 'deploy',
      preset: 'github-actions',
      issuer: ci.issuer,
      conditions: { repository_id: '74', ref: 'refs/heads/release/*' },
      appId,
      scopes: ['myservices'],
      ...over,
    });
    const stored = async () => s.store.federationPolicies.all(tenant.id);
    const refused = async (p: Promise<unknown>, code: string, message: RegExp) => {
      await assert.rejects(p, (err: unknown) => {
        assert.ok(err instanceof DomainError, String(err));
        assert.equal(err.code, code);
        assert.match(err.message, message);
        return true;
      });
    };

    before(async () => {
      s = await createTestServer(backend);
      ci = await startCiIssuer();
      tenant = await demo(s);
      appId = (await makeApp(s, { scopes: ['myservices', 'metering'] })).id;
      s.store.feed.subscribe((c) => heard.push(c));
    });
    after(async () => {
      await ci.close();
      await s.close();
    });

    test('a policy is saved with its defaults, audited and announced', async () => {
      heard.length = 0;
      const p = await policies().create(tenant, input(), MANAGER);
      assert.equal(p.audience, s.services.issuer(tenant), 'the audience defaults to the tenant issuer');
      assert.equal(p.maxTokenLifetimeSeconds, 900);
      assert.equal(p.refuseReplay, false);
      assert.equal(p.preset, 'github-actions');
      assert.equal(p.revision, 1);
      assert.deepEqual(await stored(), [p]);
      assert.ok(heard.some((c) => c.type === 'federation.changed' && c.tenantId === tenant.id));
      const [event] = await s.store.audit.list(tenant.id, { action: 'federation_policy.created' }, 10);
      assert.equal(event.targetId, p.id);
      assert.equal(event.actorId, 'manager-1');
      assert.deepEqual(event.details.conditions, { ref: 'refs/heads/release/*', repository_id: '74' });
      assert.ok(ci.jwksFetches() >= 1, "the issuer's keys were fetched when it was saved");
      await policies().delete(tenant, p.id, MANAGER);
    });

    test('refused policies change nothing, and say why', async () => {
      const narrow = await makeApp(s, { name: 'narrow', scopes: ['metering'] });
      const auditBefore = await s.store.audit.list(tenant.id, {}, 100);
      await refused(
        policies().create(tenant, input({ conditions: { sub: 'repo:octo-org/octo-repo:*' } }), MANAGER),
        'invalid',
        /exact condition on repository_id or repository_owner_id: .*a `sub` pattern alone can be matched by other people's workflows/,
      );
      await refused(
        policies().create(tenant, input({ scopes: ['myservices', 'metering', 'billing'] }), MANAGER),
        'invalid',
        /scopes outside the application's: billing/,
      );
      await refused(
        policies().create(tenant, input({ appId: narrow.id, scopes: ['myservices'] }), MANAGER),
        'invalid',
        /scopes outside the application's: myservices \(a policy narrows what its application holds/,
      );
      await refused(policies().create(tenant, input({ scopes: [] }), MANAGER), 'invalid', /at least one/);
      await refused(
        policies().create(tenant, input({ appId: 'nope' }), MANAGER),
        'invalid',
        /application nope does not exist/,
      );
      await refused(
        policies().create(tenant, input({ maxTokenLifetimeSeconds: 3601 }), MANAGER),
        'invalid',
        /maxTokenLifetimeSeconds must be a whole number of seconds from 60 to 3600/,
      );
      await refused(
        policies().create(tenant, input({ preset: 'jenkins' as never }), MANAGER),
        'invalid',
        /preset must be one of/,
      );
      await refused(
        policies().create(tenant, input({ preset: 'kubernetes', issuer: undefined }), MANAGER),
        'invalid',
        /issuer is required for a Kubernetes policy/,
      );
      await assert.rejects(
        policies().create(tenant, input({ issuer: 'http://ci.example.com' }), MANAGER),
        (err: unknown) =>
          err instanceof IssuerProblem && err.kind === 'invalid' && /plain http only on the loopback/.test(err.message),
      );
      const closed = `http://127.0.0.1:${await freePort()}`;
      await assert.rejects(
        policies().create(tenant, input({ issuer: closed }), MANAGER),
        (err: unknown) =>
          err instanceof IssuerProblem &&
          err.kind === 'unreachable' &&
          /discovery document .* could not be fetched: connection failed/.test(err.message),
      );
      assert.deepEqual(await stored(), []);
      assert.deepEqual(await s.store.audit.list(tenant.id, {}, 100), auditBefore);
    });

    test('names are unique in a domain, whatever their case', async () => {
      const p = await policies().create(tenant, input({ name: 'Unique' }), MANAGER);
      await refused(policies().create(tenant, input({ name: 'unique' }), MANAGER), 'conflict', /already exists/);
      await policies().delete(tenant, p.id, MANAGER);
    });

    test("changing a policy's terms ends the tokens of the old terms; renaming it does not", async () => {
      const p = await policies().create(tenant, input({ name: 'terms' }), MANAGER);
      const renamed = await policies().update(tenant, p.id, { name: 'terms 2' }, MANAGER);
      assert.equal(renamed.revision, 1);
      assert.equal(await s.services.revokedTokens.has(federationGrantId(p)), false);
      const narrowed = await policies().update(
        tenant,
        p.id,
        { conditions: { repository_id: '74', ref: 'refs/heads/main' } },
        MANAGER,
      );
      assert.equal(narrowed.revision, 2);
      assert.equal(await s.services.revokedTokens.has(federationGrantId(p)), true, 'the old grant ended');
      assert.equal(await s.services.revokedTokens.has(federationGrantId(narrowed)), false, 'the new one lives');
      assert.deepEqual((await stored())[0].conditions, { ref: 'refs/heads/main', repository_id: '74' });
      // A change is checked like a creation: nothing is saved when it breaks a rule.
      await refused(
        policies().update(tenant, p.id, { conditions: { ref: 'refs/heads/*' } }, MANAGER),
        'invalid',
        /repository_id/,
      );
      assert.deepEqual((await stored())[0], narrowed);

      heard.length = 0;
      await policies().delete(tenant, p.id, MANAGER);
      assert.deepEqual(await stored(), []);
      assert.equal(await s.services.revokedTokens.has(federationGrantId(narrowed)), true);
      assert.ok(heard.some((c) => c.type === 'federation.changed'));
      await refused(policies().delete(tenant, p.id, MANAGER), 'not_found', /does not exist/);
      const [deleted] = await s.store.audit.list(tenant.id, { action: 'federation_policy.deleted' }, 1);
      assert.equal(deleted.targetId, p.id);
    });

    test("GitHub's hosted issuer gets GitHub's rules without a preset named", async () => {
      await refused(
        policies().create(
          tenant,
          input({
            preset: undefined,
            issuer: 'https://token.actions.githubusercontent.com',
            conditions: { sub: 'repo:octo-org/x:ref:refs/heads/main' },
          }),
          MANAGER,
        ),
        'invalid',
        /GitHub Actions policy needs an exact condition on repository_id/,
      );
    });

    test('usage is recorded in batches: last use per policy, one audit event per subject, first use once', async () => {
      const p = await policies().create(tenant, input({ name: 'usage' }), MANAGER);
      const usage = s.services.federationUsage;
      usage.touch(p, 'repo:octo-org/octo-repo:ref:refs/heads/release/1', 1000);
      usage.touch(p, 'repo:octo-org/octo-repo:ref:refs/heads/release/1', 2000);
      usage.touch(p, 'repo:octo-org/octo-repo:ref:refs/heads/release/2', 1500);
      await usage.flush();
      const [row] = await stored();
      assert.equal(row.firstUsedAt, 2000);
      assert.equal(row.lastUsedAt, 2000);
      assert.equal(row.lastSubject, 'repo:octo-org/octo-repo:ref:refs/heads/release/1');
      const exchanged = await s.store.audit.list(
        tenant.id,
        { action: 'federation_policy.exchanged', targetId: p.id },
        10,
      );
      assert.deepEqual(exchanged.map((e) => [e.details.subject, e.details.exchanges]).sort(), [
        ['repo:octo-org/octo-repo:ref:refs/heads/release/1', 2],
        ['repo:octo-org/octo-repo:ref:refs/heads/release/2', 1],
      ]);
      assert.equal(exchanged[0].actorId, p.appClientId);
      usage.touch(p, 'repo:octo-org/octo-repo:ref:refs/heads/release/3', 3000);
      await usage.flush();
      assert.equal(
        (await s.store.audit.list(tenant.id, { action: 'federation_policy.first_used', targetId: p.id }, 10)).length,
        1,
      );
      assert.equal((await stored())[0].lastUsedAt, 3000);
      await policies().delete(tenant, p.id, MANAGER);
    });
  });
}

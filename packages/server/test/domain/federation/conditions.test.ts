import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCondition, claimText, failedCondition, matches } from '../../../src/domain/federation/conditions.js';
import { checkConditions } from '../../../src/domain/federation/policies.js';
import { presetOfIssuer } from '../../../src/domain/federation/presets.js';
import { DomainError } from '../../../src/domain/errors.js';

const refused = (fn: () => unknown, message: RegExp) =>
  assert.throws(
    fn,
    (err: unknown) => err instanceof DomainError && err.code === 'invalid' && message.test(err.message),
  );

test('a value without * matches exactly that string', () => {
  assert.ok(matches('refs/heads/main', 'refs/heads/main'));
  assert.ok(!matches('refs/heads/main', 'refs/heads/main2'));
  assert.ok(!matches('refs/heads/main', 'refs/heads/Main'));
  assert.ok(!matches('74', '740'));
  // ? [ ] \ are no wildcards.
  assert.ok(matches('a?[b]\\', 'a?[b]\\'));
  assert.ok(!matches('a?c', 'abc'));
});

test('* stands for one or more characters within one path segment, never a /', () => {
  const release = 'refs/heads/release/*';
  assert.ok(matches(release, 'refs/heads/release/1.2'));
  assert.ok(matches(release, 'refs/heads/release/x'));
  assert.ok(!matches(release, 'refs/heads/release/'), 'not nothing');
  assert.ok(!matches(release, 'refs/heads/release/1.2/hotfix'), 'not across a /');
  assert.ok(!matches(release, 'refs/heads/release'));
  assert.ok(!matches(release, 'refs/heads/releases/1.2'));
  assert.ok(!matches(release, 'refs/tags/release/1.2'));
  // An owner's repositories, and no other owner's.
  assert.ok(matches('octo-org/*', 'octo-org/deploy'));
  assert.ok(!matches('octo-org/*', 'octo-org-evil/deploy'));
  assert.ok(!matches('octo-org/*', 'octo-org/deploy/x'));
  // Within a segment, around literals.
  assert.ok(matches('v*.*', 'v1.2'));
  assert.ok(!matches('v*.*', 'v1.'));
  assert.ok(matches('release-*-rc', 'release-2.0-rc'));
  assert.ok(!matches('release-*-rc', 'release--rc'));
  assert.ok(matches('*', 'production'));
  assert.ok(!matches('*', ''));
  assert.ok(!matches('*', 'a/b'));
  assert.ok(matches('*/*', 'a/b'));
  assert.ok(matches('a*a*a*a*a*a*a*a*b', 'a'.repeat(40) + 'b'));
});

test('a hostile pattern costs no more than pattern × value steps', () => {
  const pattern = '*a'.repeat(200);
  const value = 'a'.repeat(5000) + 'b';
  const started = performance.now();
  assert.ok(!matches(pattern, value));
  assert.ok(performance.now() - started < 2000);
});

test('claims compare as text: strings, numbers and booleans; objects and lists never match', () => {
  assert.equal(claimText({ a: 'x' }, 'a'), 'x');
  assert.equal(claimText({ a: 42 }, 'a'), '42');
  assert.equal(claimText({ a: true }, 'a'), 'true');
  assert.equal(claimText({ a: { b: 1 } }, 'a'), undefined);
  assert.equal(claimText({ a: ['x'] }, 'a'), undefined);
  assert.equal(claimText({}, 'toString'), undefined, 'own claims only');
  assert.deepEqual(
    failedCondition({ repository_id: '74', ref: 'refs/heads/*' }, { repository_id: 74, ref: 'refs/heads/x' }),
    null,
  );
  assert.deepEqual(failedCondition({ repository_id: '74', ref: 'refs/heads/*' }, { repository_id: '75' }), {
    claim: 'repository_id',
    reason: 'mismatch',
  });
  assert.deepEqual(failedCondition({ repository_id: '74', ref: 'refs/heads/*' }, { repository_id: '74' }), {
    claim: 'ref',
    reason: 'missing',
  });
});

test('a condition is refused with a reason when it is malformed', () => {
  refused(() => checkCondition('aud', 'x'), /aud is not a condition/);
  refused(() => checkCondition('iss', 'x'), /iss is not a condition/);
  refused(() => checkCondition('bad name', 'x'), /not a claim name/);
  refused(() => checkCondition('ref', ''), /conditions.ref must be 1-500 characters/);
  refused(() => checkCondition('ref', 'x'.repeat(501)), /1-500/);
  refused(() => checkCondition('ref', 'a\nb'), /control characters/);
  refused(() => checkCondition('ref', 'refs/**'), /"\*\*" is not supported/);
  refused(() => checkCondition('ref', 7 as never), /must be a string/);
  assert.equal(checkCondition('ref', 'refs/heads/*'), 'refs/heads/*');
});

test('GitHub Actions: an exact numeric repository or owner id is required, and only its claims', () => {
  refused(
    () => checkConditions('github-actions', { sub: 'repo:octo-org/octo-repo:*' }),
    /needs an exact condition on repository_id or repository_owner_id: .*a `sub` pattern alone can be matched by other people's workflows/,
  );
  refused(() => checkConditions('github-actions', {}), /needs an exact condition on repository_id/);
  refused(() => checkConditions('github-actions', { repository_id: '7*' }), /repository_id must be a numeric id/);
  refused(() => checkConditions('github-actions', { repository_id: 'octo-org/octo-repo' }), /numeric id .*not a name/);
  refused(
    () => checkConditions('github-actions', { repository_id: '74', enviroment: 'prod' }),
    /GitHub Actions tokens have no claim enviroment that a policy may check/,
  );
  assert.deepEqual(
    checkConditions('github-actions', {
      ref: 'refs/heads/release/*',
      repository_id: '74',
      environment: 'production',
      job_workflow_ref: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
    }),
    {
      environment: 'production',
      job_workflow_ref: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
      ref: 'refs/heads/release/*',
      repository_id: '74',
    },
  );
  assert.ok(checkConditions('github-actions', { repository_owner_id: '65' }));
});

test('GitLab CI: project_id or namespace_id; ref_protected and environment may narrow', () => {
  refused(() => checkConditions('gitlab-ci', { ref: 'main', ref_protected: 'true' }), /project_id or namespace_id/);
  assert.ok(checkConditions('gitlab-ci', { namespace_id: '72', ref_protected: 'true', environment: 'production' }));
});

test('Kubernetes: one service account, exactly', () => {
  assert.ok(checkConditions('kubernetes', { sub: 'system:serviceaccount:ci:deployer' }));
  refused(() => checkConditions('kubernetes', { sub: 'system:serviceaccount:ci:*' }), /one service account, exactly/);
  refused(() => checkConditions('kubernetes', { sub: 'deployer' }), /system:serviceaccount:<namespace>:<name>/);
  refused(() => checkConditions('kubernetes', {}), /needs an exact condition on sub/);
});

test('any other issuer: an exact sub', () => {
  assert.ok(checkConditions(null, { sub: '6f1c0b7e-workload', team: 'pay*' }));
  refused(
    () => checkConditions(null, { sub: 'spiffe://corp/*' }),
    /sub must be the exact subject, without \*: .*a `sub` pattern alone can be matched by other people's workloads/,
  );
  refused(() => checkConditions(null, { team: 'payments' }), /a policy needs an exact condition on sub/);
});

test("GitHub's and GitLab's hosted issuers carry their preset even when none is named", () => {
  assert.equal(presetOfIssuer('https://token.actions.githubusercontent.com'), 'github-actions');
  assert.equal(presetOfIssuer('https://gitlab.com'), 'gitlab-ci');
  assert.equal(presetOfIssuer('https://issuer.example.com'), null);
});

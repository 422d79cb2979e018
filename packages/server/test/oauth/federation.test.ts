import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, decodeJwt, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { FastifyInstance } from 'fastify';
import * as oauth from 'oauth4webapi';
import {
  anotherProcessStore,
  backends,
  basic,
  createTestServer,
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  type TestServer,
} from '../helpers/harness.js';
import { as, login, problem, type Caller } from '../helpers/api-client.js';
import { startCiIssuer, githubClaims, gitlabClaims, type CiIssuer } from '../helpers/ci-issuer.js';
import { freePort } from '../helpers/process.js';
import { until } from '../helpers/until.js';
import { buildServices, type Services } from '../../src/services.js';
import { buildApp } from '../../src/app.js';
import { buildResourceServer } from '../../../resource-server/src/app.js';
import { createVerifier } from '../../../resource-server/src/verifier/index.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const SAMPLE_AUDIENCE = 'urn:latchkey:sample-api';
const API = '/t/demo/api/v1';

interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/**
 * Workload identity federation end to end, over real HTTP: a CI issuer on loopback signs tokens
 * with its own keys (GitHub's and GitLab's claim sets), the server fetches its discovery document and
 * JWKS, and exchanges them at its token endpoint for access tokens acting as an application.
 */
for (const backend of await backends()) {
  describe(`workload identity federation: the exchange (${backend})`, () => {
    let s: TestServer;
    let url: string;
    let issuer: string;
    let github: CiIssuer;
    let admin: Caller;
    let app: { id: string; clientId: string; clientSecret: string };
    let mainPolicyId: string;

    const post = async (params: Record<string, string | undefined>, headers: Record<string, string> = {}) => {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) if (v !== undefined) body.append(k, v);
      const r = await fetch(`${url}/t/demo/oauth2/v1/token`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
      return { status: r.status, body: (await r.json()) as Record<string, unknown>, headers: r.headers };
    };
    const exchange = (subjectToken: string, extra: Record<string, string> = {}) =>
      post({ grant_type: TOKEN_EXCHANGE, subject_token: subjectToken, subject_token_type: JWT_TYPE, ...extra });
    const refused = (r: TokenAnswer, error: string, description: RegExp) => {
      assert.equal(r.status, error === 'temporarily_unavailable' ? 503 : 400, JSON.stringify(r.body));
      assert.equal(r.body.error, error, JSON.stringify(r.body));
      assert.match(String(r.body.error_description), description);
      assert.equal(r.body.access_token, undefined);
      assert.equal(r.headers.get('cache-control'), 'no-store');
    };
    const newPolicy = async (body: Record<string, unknown>) => {
      const r = await admin.request('POST', `${API}/federation-policies`, body);
      assert.equal(r.statusCode, 201, r.body);
      return r.json() as { id: string; appClientId: string };
    };
    const newApp = async (name: string, scopes: string[]) => {
      const r = await admin.request('POST', `${API}/apps`, { name, grantTypes: ['client_credentials'], scopes });
      assert.equal(r.statusCode, 201, r.body);
      return { id: r.json().id as string, clientId: r.json().clientId as string, clientSecret: r.json().clientSecret };
    };
    /** A token from the repository the main policy trusts, on a release branch, for this tenant. */
    const releaseToken = (over: Record<string, unknown> = {}, opts?: Parameters<CiIssuer['sign']>[1]) =>
      github.sign(githubClaims({ ref: 'refs/heads/release/1.2', aud: issuer, ...over }), opts);

    before(async () => {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      s = await createTestServer(backend, { PUBLIC_URL: url });
      await s.app.listen({ port, host: '127.0.0.1' });
      issuer = `${url}/t/demo`;
      github = await startCiIssuer();
      admin = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
      app = await newApp('deployer', ['myservices', 'metering']);
      mainPolicyId = (
        await newPolicy({
          name: 'release deploys',
          preset: 'github-actions',
          issuer: github.issuer,
          conditions: { repository_id: '74', ref: 'refs/heads/release/*' },
          appId: app.id,
          scopes: ['metering'],
          maxTokenLifetimeSeconds: 600,
        })
      ).id;
    });
    after(async () => {
      await github?.close();
      await s?.close();
    });

    test("a GitHub Actions job's token becomes an access token acting as the application", async () => {
      const external = await releaseToken();
      const r = await exchange(external);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.token_type, 'Bearer');
      assert.equal(r.body.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token');
      assert.equal(r.body.scope, 'metering', "the application's scopes narrowed to the policy's");
      assert.equal(r.body.refresh_token, undefined, 'an access token only');
      assert.equal(r.body.expires_in, 600, "the policy's maximum, under the tenant's hour");
      assert.equal(r.headers.get('cache-control'), 'no-store');

      // Verified with the server's own published keys, over HTTP.
      const jwks = createRemoteJWKSet(new URL(`${issuer}/oauth2/v1/keys`));
      const { payload, protectedHeader } = await jwtVerify(String(r.body.access_token), jwks, {
        issuer,
        audience: SAMPLE_AUDIENCE,
        typ: 'at+jwt',
        algorithms: ['ES256'],
      });
      assert.equal(protectedHeader.typ, 'at+jwt');
      assert.equal(payload.sub, app.clientId, 'the token acts as the application (client_credentials semantics)');
      assert.equal(payload.client_id, app.clientId);
      assert.equal(payload.scope, 'metering');
      assert.ok(payload.exp! - payload.iat! <= 600);
      assert.deepEqual(payload.federated, {
        iss: github.issuer,
        sub: 'repo:octo-org/octo-repo:ref:refs/heads/release/1.2',
        policy_id: mainPolicyId,
      });

      // Introspection says the same, and where it came from.
      const i = await fetch(`${url}/t/demo/oauth2/v1/introspect`, {
        method: 'POST',
        body: new URLSearchParams({ token: String(r.body.access_token) }),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(app.clientId, app.clientSecret),
        },
      });
      const introspected = (await i.json()) as Record<string, unknown>;
      assert.equal(introspected.active, true);
      assert.equal(introspected.sub, app.clientId);
      assert.deepEqual(introspected.federated, payload.federated);

      // An API that verifies offline accepts it where the scopes allow, and no further.
      const sample = await buildResourceServer({
        verifier: createVerifier({ latchkeyUrl: url, audience: SAMPLE_AUDIENCE }),
      });
      try {
        const auth = { authorization: `Bearer ${r.body.access_token}` };
        const usage = await sample.inject({
          method: 'GET',
          url: '/t/demo/metering/api/v1/usage?limit=1',
          headers: auth,
        });
        assert.equal(usage.statusCode, 200, usage.body);
        const instances = await sample.inject({
          method: 'GET',
          url: '/t/demo/myservices/api/v1/instances',
          headers: auth,
        });
        assert.equal(instances.statusCode, 403, instances.body);
        assert.match(String(instances.headers['www-authenticate']), /insufficient_scope/);
      } finally {
        await sample.close();
      }
      // The management API is about people: like the application's own client_credentials tokens,
      // a federated token is refused there.
      problem(
        await as(s, { bearer: String(r.body.access_token) }).request('GET', `${API}/me`),
        403,
        /does not represent a user/,
        'not_a_user',
      );

      // The same token again, and as an RFC 7523 assertion: the policy does not refuse replays.
      assert.equal((await exchange(external)).status, 200);
      const bearer = await post({ grant_type: JWT_BEARER, assertion: external });
      assert.equal(bearer.status, 200, JSON.stringify(bearer.body));
      assert.equal(bearer.body.scope, 'metering');
      assert.equal(bearer.body.issued_token_type, undefined);
      assert.equal(decodeJwt(String(bearer.body.access_token)).sub, app.clientId);
    });

    test('the scope asked for narrows within the policy, never beyond it', async () => {
      const policy = await newPolicy({
        name: 'both scopes',
        preset: 'github-actions',
        issuer: github.issuer,
        conditions: { repository_id: '80' },
        appId: app.id,
        scopes: ['metering', 'myservices'],
      });
      const token = () => github.sign(githubClaims({ repository_id: '80', aud: issuer }));
      const all = await exchange(await token());
      assert.equal(all.body.scope, 'metering myservices');
      assert.equal(all.body.expires_in, 900, 'the default maximum');
      const one = await exchange(await token(), { scope: 'myservices' });
      assert.equal(one.body.scope, 'myservices');
      refused(
        await exchange(await token(), { scope: 'myservices billing' }),
        'invalid_scope',
        /scope not allowed: billing/,
      );
      const targeted = await exchange(await token(), { audience: SAMPLE_AUDIENCE, scope: 'metering' });
      assert.equal(targeted.status, 200, JSON.stringify(targeted.body));
      refused(
        await exchange(await token(), { resource: 'https://elsewhere.example' }),
        'invalid_target',
        /resource names no API/,
      );
      // The application loses a scope: so do the tokens the policy gives.
      assert.equal((await admin.request('PATCH', `${API}/apps/${app.id}`, { scopes: ['metering'] })).statusCode, 200);
      assert.equal((await exchange(await token())).body.scope, 'metering');
      assert.equal(
        (await admin.request('PATCH', `${API}/apps/${app.id}`, { scopes: ['myservices', 'metering'] })).statusCode,
        200,
      );
      await admin.request('DELETE', `${API}/federation-policies/${policy.id}`);
    });

    test('each failed condition is refused as invalid_grant naming it, never the token', async () => {
      refused(
        await exchange(await releaseToken({ repository_id: '666' })),
        'invalid_grant',
        /^no federation policy accepts this token: policy "release deploys": repository_id does not match the condition$/,
      );
      for (const ref of ['refs/heads/main', 'refs/heads/release/1.2/x', 'refs/heads/release/', 'refs/tags/release/1']) {
        refused(
          await exchange(await releaseToken({ ref })),
          'invalid_grant',
          /policy "release deploys": ref does not match the condition$/,
        );
      }
      refused(
        await exchange(await releaseToken({ ref: undefined })),
        'invalid_grant',
        /policy "release deploys": the token has no ref claim/,
      );
      // A name-alike from another owner: its sub and repository look the same, its ids do not.
      const r = await exchange(
        await releaseToken({ repository_owner_id: '999', repository_id: '999', repository: 'octo-org/octo-repo' }),
      );
      refused(r, 'invalid_grant', /repository_id does not match/);
      assert.doesNotMatch(String(r.body.error_description), /999|octo-repo/);
    });

    test("the token's audience, times, key and algorithm are checked", async () => {
      refused(
        await exchange(await releaseToken({ aud: 'https://github.com/octo-org' })),
        'invalid_grant',
        /audience \(aud\)/,
      );
      const now = Math.floor(Date.now() / 1000);
      refused(
        await exchange(await releaseToken({}, { at: now - 1000 })),
        'invalid_grant',
        /the token has expired \(exp\)/,
      );
      refused(await exchange(await releaseToken({ nbf: now + 600 })), 'invalid_grant', /not valid yet \(nbf\)/);
      refused(
        await exchange(await releaseToken({ nbf: now }, { at: now + 600 })),
        'invalid_grant',
        /issued in the future \(iat\)/,
      );
      refused(
        await exchange(await github.signWithUnpublishedKey(githubClaims({ ref: 'refs/heads/release/1', aud: issuer }))),
        'invalid_grant',
        /key \(kid\) is not among the keys the issuer publishes/,
      );
      // Unsigned.
      const claims = githubClaims({ ref: 'refs/heads/release/1', aud: issuer, iss: github.issuer, exp: now + 300 });
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      refused(
        await exchange(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`),
        'invalid_grant',
        /algorithm is not accepted/,
      );
      // HMAC keyed with the issuer's public key, which anyone can fetch.
      const hs = await new SignJWT(claims as JWTPayload)
        .setProtectedHeader({ alg: 'HS256', kid: github.publicJwk().kid })
        .sign(new TextEncoder().encode(JSON.stringify(github.publicJwk())));
      refused(await exchange(hs), 'invalid_grant', /algorithm is not accepted \(asymmetric ones only/);
      // A signature that does not match the claims.
      const [h, , sig] = (await releaseToken()).split('.');
      refused(
        await exchange(`${h}.${b64({ ...claims, repository_id: '74' })}.${sig}`),
        'invalid_grant',
        /signature does not verify/,
      );
      refused(await exchange('not-a-jwt'), 'invalid_grant', /not a signed JWT/);
    });

    test('an issuer no policy trusts is refused without being fetched', async () => {
      const stranger = await startCiIssuer();
      try {
        const r = await exchange(await stranger.sign(githubClaims({ aud: issuer, ref: 'refs/heads/release/1' })));
        refused(
          r,
          'invalid_grant',
          new RegExp(`no federation policy of this domain trusts the issuer ${stranger.issuer}`),
        );
        assert.equal(stranger.jwksFetches(), 0);
      } finally {
        await stranger.close();
      }
    });

    test('the request is checked: token types, no client authentication, no actor', async () => {
      const t = await releaseToken();
      refused(
        await post({
          grant_type: TOKEN_EXCHANGE,
          subject_token: t,
          subject_token_type: 'urn:ietf:params:oauth:token-type:saml2',
        }),
        'invalid_request',
        /subject_token_type must be/,
      );
      refused(
        await post({ grant_type: TOKEN_EXCHANGE, subject_token: t }),
        'invalid_request',
        /missing parameter subject_token_type/,
      );
      refused(
        await exchange(t, { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }),
        'invalid_request',
        /requested_token_type/,
      );
      refused(
        await exchange(t, { actor_token: t, actor_token_type: JWT_TYPE }),
        'invalid_request',
        /actor_token is not supported/,
      );
      refused(
        await exchange(t, { client_id: app.clientId, client_secret: app.clientSecret }),
        'invalid_request',
        /no client authentication/,
      );
      const withBasic = await post(
        { grant_type: TOKEN_EXCHANGE, subject_token: t, subject_token_type: JWT_TYPE },
        { authorization: basic(app.clientId, app.clientSecret) },
      );
      refused(withBasic, 'invalid_request', /no client authentication/);
      // An id_token type is the same exchange; a client_id alone only chooses the application.
      const ok = await exchange(t, {
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        client_id: app.clientId,
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      refused(await exchange(t, { client_id: 'lk_app_other' }), 'invalid_grant', /acts as the client_id given/);
    });

    test('the issuer rotates its keys: the next exchange fetches them again and succeeds', async () => {
      const rotating = await startCiIssuer();
      try {
        await newPolicy({
          name: 'rotating',
          preset: 'github-actions',
          issuer: rotating.issuer,
          conditions: { repository_owner_id: '65' },
          appId: app.id,
          scopes: ['metering'],
        });
        const sign = () => rotating.sign(githubClaims({ aud: issuer }));
        assert.equal((await exchange(await sign())).status, 200);
        const fetched = rotating.jwksFetches();
        await rotating.rotate();
        const after = await exchange(await sign());
        assert.equal(after.status, 200, JSON.stringify(after.body));
        assert.equal(rotating.jwksFetches(), fetched + 1, 'one more fetch, for the unknown kid');
        assert.equal((await exchange(await sign())).status, 200);
        assert.equal(rotating.jwksFetches(), fetched + 1, 'then from memory');
      } finally {
        await rotating.close();
      }
    });

    test('a policy that refuses replays takes each token once', async () => {
      await newPolicy({
        name: 'once',
        preset: 'github-actions',
        issuer: github.issuer,
        conditions: { repository_id: '75' },
        appId: app.id,
        scopes: ['metering'],
        refuseReplay: true,
      });
      const t = await github.sign(githubClaims({ repository_id: '75', aud: issuer }));
      assert.equal((await exchange(t)).status, 200);
      refused(await exchange(t), 'invalid_grant', /already exchanged, and federation policy "once" refuses replays/);
      refused(await post({ grant_type: JWT_BEARER, assertion: t }), 'invalid_grant', /already exchanged/);
      assert.equal((await exchange(await github.sign(githubClaims({ repository_id: '75', aud: issuer })))).status, 200);
      refused(
        await exchange(await github.sign(githubClaims({ repository_id: '75', aud: issuer, jti: undefined }))),
        'invalid_grant',
        /refuses replays, and the token has no jti/,
      );
    });

    test('GitLab CI and Kubernetes tokens, each under its own rules', async () => {
      const gitlab = await startCiIssuer();
      const cluster = await startCiIssuer();
      try {
        await newPolicy({
          name: 'gitlab protected',
          preset: 'gitlab-ci',
          issuer: gitlab.issuer,
          conditions: { project_id: '20', ref_protected: 'true', environment: 'production' },
          appId: app.id,
          scopes: ['metering'],
        });
        assert.equal((await exchange(await gitlab.sign(gitlabClaims({ aud: issuer })))).status, 200);
        refused(
          await exchange(await gitlab.sign(gitlabClaims({ aud: issuer, ref_protected: 'false' }))),
          'invalid_grant',
          /ref_protected does not match/,
        );
        await newPolicy({
          name: 'cluster deployer',
          preset: 'kubernetes',
          issuer: cluster.issuer,
          audience: 'latchkey',
          conditions: { sub: 'system:serviceaccount:ci:deployer' },
          appId: app.id,
          scopes: ['metering'],
        });
        const k8s = (sub: string) =>
          cluster.sign({ sub, aud: ['latchkey'], 'kubernetes.io': { namespace: 'ci', serviceaccount: { name: 'x' } } });
        assert.equal((await exchange(await k8s('system:serviceaccount:ci:deployer'))).status, 200);
        refused(await exchange(await k8s('system:serviceaccount:ci:other')), 'invalid_grant', /sub does not match/);
      } finally {
        await gitlab.close();
        await cluster.close();
      }
    });

    test('two policies accepting one token: refused unless client_id chooses', async () => {
      const other = await newApp('other', ['metering']);
      for (const [name, appId] of [
        ['twin a', app.id],
        ['twin b', other.id],
      ])
        await newPolicy({
          name,
          preset: 'github-actions',
          issuer: github.issuer,
          conditions: { repository_id: '76' },
          appId,
          scopes: ['metering'],
        });
      const t = () => github.sign(githubClaims({ repository_id: '76', aud: issuer }));
      refused(
        await exchange(await t()),
        'invalid_grant',
        /accepted by several federation policies \("twin a", "twin b"\)/,
      );
      const chosen = await exchange(await t(), { client_id: other.clientId });
      assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
      assert.equal(decodeJwt(String(chosen.body.access_token)).sub, other.clientId);
      // A deactivated application's policy gives nothing.
      assert.equal((await admin.request('POST', `${API}/apps/${other.id}/deactivate`)).statusCode, 200);
      refused(
        await exchange(await t(), { client_id: other.clientId }),
        'invalid_grant',
        /application of federation policy "twin b" cannot be used: client is deactivated/,
      );
    });

    test('a deleted policy stops at once, and the tokens it gave end', async () => {
      const policy = await newPolicy({
        name: 'doomed',
        preset: 'github-actions',
        issuer: github.issuer,
        conditions: { repository_id: '77' },
        appId: app.id,
        scopes: ['metering'],
      });
      const t = () => github.sign(githubClaims({ repository_id: '77', aud: issuer }));
      const given = await exchange(await t());
      assert.equal(given.status, 200);
      const introspect = async (token: string) => {
        const r = await fetch(`${url}/t/demo/oauth2/v1/introspect`, {
          method: 'POST',
          body: new URLSearchParams({ token }),
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: basic(app.clientId, app.clientSecret),
          },
        });
        return ((await r.json()) as { active: boolean }).active;
      };
      assert.equal(await introspect(String(given.body.access_token)), true);
      assert.equal((await admin.request('DELETE', `${API}/federation-policies/${policy.id}`)).statusCode, 204);
      refused(await exchange(await t()), 'invalid_grant', /no federation policy accepts this token|trusts the issuer/);
      assert.equal(await introspect(String(given.body.access_token)), false);
    });

    test('exchanges are audited in batches: per policy and subject, with the first use', async () => {
      await s.services.federationUsage.flush();
      const events = (await admin.request('GET', `${API}/audit?targetId=${mainPolicyId}&limit=50`)).json()
        .items as Array<{
        action: string;
        details: Record<string, unknown>;
      }>;
      assert.ok(events.some((e) => e.action === 'federation_policy.first_used'));
      const exchanged = events.filter((e) => e.action === 'federation_policy.exchanged');
      assert.ok(exchanged.length >= 1);
      assert.equal(exchanged[0].details.issuer, github.issuer);
      assert.equal(exchanged[0].details.subject, 'repo:octo-org/octo-repo:ref:refs/heads/release/1.2');
      assert.ok(Number(exchanged[0].details.exchanges) >= 3);
      const policy = (await admin.request('GET', `${API}/federation-policies/${mainPolicyId}`)).json();
      assert.ok(policy.lastUsedAt);
      assert.equal(policy.lastSubject, 'repo:octo-org/octo-repo:ref:refs/heads/release/1.2');
    });

    test("oauth4webapi's generic grant request exchanges a token (a strict RFC 8693 client nobody here wrote)", async () => {
      const insecure = { [oauth.allowInsecureRequests]: true } as const;
      const as = await oauth.processDiscoveryResponse(
        new URL(issuer),
        await oauth.discoveryRequest(new URL(issuer), { algorithm: 'oauth2', ...insecure }),
      );
      // A public client: oauth4webapi sends client_id, which only chooses the application.
      const client: oauth.Client = { client_id: app.clientId };
      const response = await oauth.genericTokenEndpointRequest(
        as,
        client,
        oauth.None(),
        TOKEN_EXCHANGE,
        { subject_token: await releaseToken(), subject_token_type: JWT_TYPE, scope: 'metering' },
        insecure,
      );
      const result = await oauth.processGenericTokenEndpointResponse(as, client, response);
      assert.equal(result.token_type, 'bearer');
      assert.equal(result.scope, 'metering');
      assert.equal(result.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token');
      assert.equal(result.refresh_token, undefined);
      assert.equal(decodeJwt(result.access_token).sub, app.clientId);
      // A refusal reaches it as an RFC 6749 error object.
      const bad = await oauth.genericTokenEndpointRequest(
        as,
        client,
        oauth.None(),
        TOKEN_EXCHANGE,
        { subject_token: await releaseToken({ ref: 'refs/heads/main' }), subject_token_type: JWT_TYPE },
        insecure,
      );
      await assert.rejects(oauth.processGenericTokenEndpointResponse(as, client, bad), (err: unknown) => {
        assert.ok(err instanceof oauth.ResponseBodyError);
        assert.equal(err.error, 'invalid_grant');
        assert.match(String(err.error_description), /ref does not match the condition/);
        return true;
      });
    });

    test('the metadata lists the token-exchange grant', async () => {
      const meta = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
        grant_types_supported: string[];
      };
      assert.ok(meta.grant_types_supported.includes(TOKEN_EXCHANGE));
      assert.ok(meta.grant_types_supported.includes(JWT_BEARER));
    });

    if (backend === 'postgres') {
      test('a policy deleted in one process stops working in another within a second', async () => {
        const policy = await newPolicy({
          name: 'elsewhere',
          preset: 'github-actions',
          issuer: github.issuer,
          conditions: { repository_id: '78' },
          appId: app.id,
          scopes: ['metering'],
        });
        const other = anotherProcessStore(s.databaseUrl!);
        const b: Services = buildServices(s.config, other.store, s.masterKey);
        let bApp: FastifyInstance | undefined;
        try {
          bApp = await buildApp(b);
          await bApp.ready();
          await other.listener.start();
          const atB = async () =>
            bApp!.inject({
              method: 'POST',
              url: '/t/demo/oauth2/v1/token',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              payload: new URLSearchParams({
                grant_type: TOKEN_EXCHANGE,
                subject_token: await github.sign(githubClaims({ repository_id: '78', aud: issuer })),
                subject_token_type: JWT_TYPE,
              }).toString(),
            });
          assert.equal((await atB()).statusCode, 200, 'B caches the policy');
          assert.equal((await admin.request('DELETE', `${API}/federation-policies/${policy.id}`)).statusCode, 204);
          const deletedAt = Date.now();
          const r = await until(
            'B refuses',
            async () => {
              const res = await atB();
              return res.statusCode === 400 ? res : undefined;
            },
            1000,
            10,
          );
          assert.ok(Date.now() - deletedAt < 1000);
          assert.equal(r.json().error, 'invalid_grant');
        } finally {
          await bApp?.close();
          await b.usage.close();
          await b.federationUsage.close();
          await b.outbound.close();
          await other.close();
        }
      });
    }
  });
}

// Tenants trusted by their issuer (the `issuers` option), in either form: a tenant's own host
// (`https://acme.id.example.com`, every endpoint at its root) or the path form. The stand-in server
// serves a tenant at a host of its own on another loopback port, as a Latchkey tenant host does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier, type VerifierOptions } from '../../src/verifier/verify.js';
import { AuthorizationServerUnavailable, type TokenErrorCode } from '../../src/verifier/errors.js';
import { checkIssuers, metadataUrl } from '../../src/verifier/issuers.js';
import { AUDIENCE, FakeAuthorizationServer } from '../helpers/fake-as.js';

async function rejects(p: Promise<unknown>, code: TokenErrorCode, message?: RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.equal((err as { code?: string }).code, code, `expected ${code}, got ${(err as Error).message}`);
    if (message) assert.match((err as Error).message, message);
    return true;
  });
}

test('RFC 8414 metadata address of each issuer form', () => {
  assert.equal(
    metadataUrl('https://acme.id.example.com'),
    'https://acme.id.example.com/.well-known/oauth-authorization-server',
  );
  assert.equal(
    metadataUrl('https://login.example.com/t/acme'),
    'https://login.example.com/.well-known/oauth-authorization-server/t/acme',
  );
});

test('the issuers option: slugs to http(s) issuers without query or fragment; trailing slashes dropped', () => {
  assert.deepEqual(
    checkIssuers({ acme: 'https://acme.id.example.com/', beta: ['https://b.example', 'https://l.example/t/beta'] }),
    new Map([
      ['acme', ['https://acme.id.example.com']],
      ['beta', ['https://b.example', 'https://l.example/t/beta']],
    ]),
  );
  for (const bad of [
    { 'Not A Slug': 'https://x.example' },
    { acme: 'ftp://x.example' },
    { acme: 'acme.id.example.com' },
    { acme: 'https://x.example?tenant=acme' },
    { acme: [] },
    { acme: 42 },
  ]) {
    assert.throws(() => checkIssuers(bad as never), TypeError, JSON.stringify(bad));
  }
  assert.throws(() => createVerifier({ audience: AUDIENCE }), /latchkeyUrl .*issuers/);
});

describe('verify() with issuers', () => {
  const as = new FakeAuthorizationServer();
  let acmeHost: string;
  let betaHost: string;
  const verifier = (o: Partial<VerifierOptions>) => createVerifier({ audience: AUDIENCE, ...o });

  before(async () => {
    await as.start();
    await as.addTenant('acme');
    await as.addTenant('beta');
    acmeHost = await as.addHost('acme');
    betaHost = await as.addHost('beta');
  });
  after(() => as.stop());

  test("a tenant host's token: metadata and keys fetched at the host's root, iss exactly the host", async () => {
    const v = verifier({ issuers: { acme: `${acmeHost}/` } });
    const token = await as.mint('acme', { claims: { iss: acmeHost, sub: 'user-1' } });
    const from = as.seen.length;
    const ok = await v.verify(token, { tenant: 'acme', scopes: ['metering'] });
    assert.equal(ok.subject, 'user-1');
    assert.equal(ok.claims.iss, acmeHost);
    assert.deepEqual(as.seen.slice(from), [
      `${acmeHost}/.well-known/oauth-authorization-server`,
      `${acmeHost}/oauth2/v1/keys`,
    ]);
    await v.verify(token, { tenant: 'acme' });
    assert.equal(as.seen.length, from + 2, 'cached');
  });

  test('without latchkeyUrl, only the listed issuers: the path form of the same tenant, other tenants, refused before any fetch', async () => {
    const v = verifier({ issuers: { acme: acmeHost } });
    const from = as.seen.length;
    await rejects(
      v.verify(await as.mint('acme'), { tenant: 'acme' }),
      'ERR_TOKEN_ISSUER',
      new RegExp(`issued by "${as.issuer('acme')}", tenant "acme" expects "${acmeHost}"`),
    );
    await rejects(
      v.verify(await as.mint('beta', { claims: { iss: betaHost } }), { tenant: 'beta' }),
      'ERR_UNKNOWN_TENANT',
      /this API trusts no issuer for it/,
    );
    assert.equal(as.seen.length, from);
  });

  test("one tenant's host token on another tenant's route is refused, even signed by a key the other publishes", async () => {
    const v = verifier({ issuers: { acme: acmeHost, beta: betaHost } });
    const acmeToken = await as.mint('acme', { claims: { iss: acmeHost } });
    await rejects(v.verify(acmeToken, { tenant: 'beta' }), 'ERR_TOKEN_ISSUER');
    // beta's own key, acme's issuer: the issuer decides the tenant, and it is not beta's.
    const forged = await as.mint('beta', { claims: { iss: acmeHost } });
    await rejects(v.verify(forged, { tenant: 'beta' }), 'ERR_TOKEN_ISSUER');
    await rejects(v.verify(forged, { tenant: 'acme' }), 'ERR_TOKEN_UNKNOWN_KEY');
  });

  test('both forms for one tenant: its host issuer listed and latchkeyUrl for the path form', async () => {
    const v = verifier({ latchkeyUrl: as.url, issuers: { acme: acmeHost } });
    await v.verify(await as.mint('acme', { claims: { iss: acmeHost } }), { tenant: 'acme' });
    await v.verify(await as.mint('acme'), { tenant: 'acme' });
    // Tenants not listed keep the path form through latchkeyUrl.
    await v.verify(await as.mint('beta'), { tenant: 'beta' });
    await rejects(
      v.verify(await as.mint('beta', { claims: { iss: betaHost } }), { tenant: 'beta' }),
      'ERR_TOKEN_ISSUER',
    );
  });

  test('a listed path-form issuer is found at its RFC 8414 address without latchkeyUrl', async () => {
    const v = verifier({ issuers: { beta: as.issuer('beta') } });
    const from = as.seen.length;
    await v.verify(await as.mint('beta'), { tenant: 'beta' });
    assert.equal(as.seen[from], `${as.url}/.well-known/oauth-authorization-server/t/beta`);
  });

  test('metadata naming another issuer than the one listed is not trusted (503, fails closed)', async () => {
    const v = verifier({ issuers: { acme: acmeHost } });
    as.metadataIssuer = as.issuer('acme');
    try {
      await assert.rejects(
        v.verify(await as.mint('acme', { claims: { iss: acmeHost } }), { tenant: 'acme' }),
        (err: unknown) => {
          assert.ok(err instanceof AuthorizationServerUnavailable);
          assert.match(err.detail ?? '', new RegExp(`is not "${acmeHost}"`));
          return true;
        },
      );
    } finally {
      as.metadataIssuer = undefined;
    }
  });
});

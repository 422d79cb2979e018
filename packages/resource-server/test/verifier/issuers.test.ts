// Tenants trusted by their issuer (the `issuers` option), in either form: a tenant's own host
// (`https://acme.id.example.com`, every endpoint at its root) or the path form. The rules here; the
// verifier with them against a real server's tenant hosts in ../e2e/verifier-issuers.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier } from '../../src/verifier/verify.js';
import { checkIssuers, metadataUrl } from '../../src/verifier/issuers.js';
import { AUDIENCE } from '../helpers/fake-as.js';

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

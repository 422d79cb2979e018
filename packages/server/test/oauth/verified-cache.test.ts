import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestServer } from '../helpers/harness.js';
import { signAccessToken } from '../../src/domain/tokens/access-token.js';
import { verifyAccessToken, verifiedTokenCacheStats } from '../../src/domain/tokens/verify-access-token.js';

// The verified-signature cache holds whole tokens: bounded in bytes as well as entries, so
// large tokens cannot make it hold hundreds of megabytes.
test('the verified-token cache stays within its byte bound', async (t) => {
  const s = await createTestServer('sqlite');
  t.after(() => s.close());
  const tenant = (await s.services.tenants.get('demo'))!;
  const issuer = s.services.issuer(tenant);
  const key = await s.services.keys.active(tenant);
  const scope = Array.from({ length: 800 }, (_, i) => `scope${String(i).padStart(4, '0')}`).join(' '); // ~8 KB
  for (let i = 0; i < 2500; i++) {
    const { token } = signAccessToken(key, {
      issuer,
      subject: `user-${i}`,
      audience: issuer,
      clientId: 'latchkey-sdk',
      scope,
      ttlSeconds: 300,
    });
    assert.ok(await verifyAccessToken(s.services.keys, tenant, issuer, token));
  }
  const stats = verifiedTokenCacheStats(s.services.keys);
  assert.ok(stats.bytes <= 32 * 1024 * 1024, `${stats.bytes} bytes held`);
  assert.ok(stats.size < 2500 && stats.size > 100, `${stats.size} entries`);
});

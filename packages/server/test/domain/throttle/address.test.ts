import { test } from 'node:test';
import assert from 'node:assert/strict';
import { throttleAddress } from '../../../src/domain/throttle/address.js';

test('throttles count IPv6 callers by their /64, IPv4 by the address, and cut anything else short', () => {
  assert.equal(throttleAddress('203.0.113.7'), '203.0.113.7');
  assert.equal(throttleAddress('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(throttleAddress('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(throttleAddress('2001:0db8:0001:0002::1'), '2001:db8:1:2::/64');
  assert.equal(throttleAddress('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(throttleAddress('::1'), '0:0:0:0::/64');
  assert.equal(throttleAddress('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(throttleAddress('64:ff9b::192.0.2.33'), '64:ff9b:0:0::/64');
  assert.equal(throttleAddress('x'.repeat(12_000)).length, 64);
});

// The console's expiry days (src/components/expiry-day.ts): the shared cases of what an expiry means
// (packages/sdk/test/fixtures/expires-at-cases.json, its dates: the date input gives nothing else), and
// the day shown is the day chosen whatever the viewer's time zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  endOfUtcDay,
  formatExpiryDate,
  lastExpiryDay,
  startOfNextUtcDay,
  startOfUtcDay,
  utcDay,
} from '../src/components/expiry-day.js';

const { cases } = JSON.parse(
  fs.readFileSync(new URL('../../sdk/test/fixtures/expires-at-cases.json', import.meta.url), 'utf8'),
) as {
  cases: { input: string; expiresAt: string | null }[];
};
const DAY = 86_400_000;
const iso = (d: Date) => (Number.isNaN(d.getTime()) ? null : d.toISOString());

for (const c of cases.filter((x) => !/T\d/.test(x.input))) {
  test(`the expiration date "${c.input}" → ${c.expiresAt ?? 'none'}`, () => {
    assert.equal(iso(endOfUtcDay(c.input)), c.expiresAt);
  });
}

test("a UTC day as filter bounds: from its first millisecond to the next day's (exclusive, as the API reads …To)", () => {
  assert.equal(startOfUtcDay('2027-01-15').toISOString(), '2027-01-15T00:00:00.000Z');
  assert.equal(startOfNextUtcDay('2027-01-15').toISOString(), '2027-01-16T00:00:00.000Z');
  assert.equal(startOfNextUtcDay('2027-12-31').toISOString(), '2028-01-01T00:00:00.000Z');
  assert.equal(
    startOfNextUtcDay('2027-01-15').getTime() - endOfUtcDay('2027-01-15').getTime(),
    1,
    'the expiry of that day falls inside',
  );
});

test('the date shown is the UTC day, for a viewer on either side of UTC', () => {
  // The formatter fixes its time zone: the process's (like a browser's) plays no part.
  assert.equal(formatExpiryDate('2027-01-15T23:59:59.999Z'), 'Jan 15, 2027');
  assert.equal(formatExpiryDate('2027-01-15T00:00:00.000Z'), 'Jan 15, 2027');
  assert.equal(utcDay(endOfUtcDay('2027-01-15')), '2027-01-15');
});

test('the latest expiry date a domain allows ends within its maximum, and the next day would not', () => {
  for (const now of [
    Date.parse('2026-12-07T17:33:00Z'),
    Date.parse('2026-12-07T00:00:30Z'),
    Date.parse('2026-12-07T23:59:00Z'),
  ]) {
    for (const maxDays of [1, 7, 365]) {
      const last = lastExpiryDay(maxDays, now);
      const limit = now + maxDays * DAY;
      assert.ok(
        endOfUtcDay(last).getTime() <= limit - 60_000,
        `${last} within ${maxDays} days of ${new Date(now).toISOString()}`,
      );
      assert.ok(endOfUtcDay(last).getTime() + DAY > limit - 60_000, `${last} is the last such day`);
    }
  }
});

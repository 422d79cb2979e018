import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer } from '../helpers/harness.js';
import { demo } from '../helpers/oauth.js';
import { KeyService } from '../../src/domain/keys/service.js';
import type { Store } from '../../src/store/index.js';

const DAY = 86_400_000;

for (const backend of await backends()) {
  test(`a key load that read the keys before a rotation was announced is not kept (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const tenant = await demo(s);
    const before = (await s.services.keys.active(tenant)).kid;

    // Another process: its reads of the keys can be held between reading and returning.
    let hold: Promise<void> | undefined;
    let read!: () => void;
    const hasRead = new Promise<void>((r) => {
      read = r;
    });
    const real = s.store.signingKeys;
    const signingKeys = Object.assign(Object.create(Object.getPrototypeOf(real)), real, {
      live: async (tenantId: string, now: number) => {
        const rows = await real.live(tenantId, now);
        read();
        await hold;
        return rows;
      },
    });
    const store = Object.assign(Object.create(Object.getPrototypeOf(s.store)), s.store, { signingKeys }) as Store;
    const other = new KeyService(store, s.services.sealer, 30 * DAY);

    let release!: () => void;
    hold = new Promise((r) => {
      release = r;
    });
    const slow = other.active(tenant); // reads the keys, then waits
    await hasRead;
    const after = await s.services.keys.rotate(tenant, 'manual');
    assert.notEqual(after, before);
    other.onChange({ type: 'keys.rotated', tenantId: tenant.id }); // the announcement arrives mid-load
    const next = other.active(tenant); // asked after the announcement: must not join the stale load
    hold = undefined;
    release();
    assert.equal((await slow).kid, before, 'the load that started first answers what it read');
    assert.equal((await next).kid, after);
    assert.equal((await other.active(tenant)).kid, after, 'and the stale load was not cached');
    assert.equal(other.peek(tenant.id)?.kid, after);
  });
}

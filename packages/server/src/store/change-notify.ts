import { sql } from 'kysely';
import type { Change } from '../domain/changes.js';
import type { Db } from './db.js';

/** The PostgreSQL channel every Latchkey process of a database listens on. */
export const CHANGES_CHANNEL = 'latchkey_changes';

// PostgreSQL refuses payloads of 8000 bytes and more; stay well below.
const MAX_PAYLOAD_BYTES = 7000;
const MAX_IDS_PER_CHANGE = 100;

/** o: the sender's origin; c: its changes; t: when it queued them, just before its commit (epoch ms). */
interface Payload {
  o: string;
  c: Change[];
  t?: number;
}

/** Splits changes into notification payloads under PostgreSQL's size limit. */
export function encodeChanges(origin: string, changes: readonly Change[]): string[] {
  const pieces = changes.flatMap((c) => {
    if (c.type !== 'grant.ended' || c.ids.length <= MAX_IDS_PER_CHANGE) return [c];
    const out: Change[] = [];
    for (let i = 0; i < c.ids.length; i += MAX_IDS_PER_CHANGE)
      out.push({ ...c, ids: c.ids.slice(i, i + MAX_IDS_PER_CHANGE) });
    return out;
  });
  const payloads: string[] = [];
  const t = Date.now();
  let batch: Change[] = [];
  let bytes = 0;
  for (const c of pieces) {
    const size = Buffer.byteLength(JSON.stringify(c)) + 1;
    if (batch.length > 0 && bytes + size > MAX_PAYLOAD_BYTES) {
      payloads.push(JSON.stringify({ o: origin, c: batch, t } satisfies Payload));
      batch = [];
      bytes = 0;
    }
    batch.push(c);
    bytes += size;
  }
  if (batch.length > 0) payloads.push(JSON.stringify({ o: origin, c: batch, t } satisfies Payload));
  return payloads;
}

/** A received payload, or null when it is not one of ours (someone else's NOTIFY on the channel). */
export function decodeChanges(payload: string): Payload | null {
  try {
    const p = JSON.parse(payload) as Payload;
    return typeof p.o === 'string' && Array.isArray(p.c) ? p : null;
  } catch {
    return null;
  }
}

/** Queues the notifications in the transaction `trx`: PostgreSQL sends them only if it commits. */
export async function notifyChanges(trx: Db, origin: string, changes: readonly Change[]): Promise<void> {
  const payloads = encodeChanges(origin, changes);
  await sql`select pg_notify(${CHANGES_CHANNEL}, p) from unnest(${payloads}::text[]) as p`.execute(trx);
}

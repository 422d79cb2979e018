// Cursor pagination shared by every list: `limit` and an opaque `cursor` in, `{items, nextCursor}` out.
// The cursor names the list and the last record served, so a page never repeats or skips records.
import type { Slice } from '../data/store.js';
import { invalidCursor } from './errors.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Query-string schema fragment of every list. */
export const pageQuerySchema = {
  limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  cursor: { type: 'string', minLength: 1, maxLength: 200 },
  // Repeat it (?service=a&service=b) or separate codes with commas (?service=a,b).
  service: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, maxItems: 20 },
} as const;

export interface PageQuery {
  limit: number;
  cursor?: string;
  service?: string[];
}

export function encodeCursor(list: string, afterId: string): string {
  return Buffer.from(JSON.stringify({ l: list, a: afterId })).toString('base64url');
}

/** The id to start after; throws on a cursor that is not one of this list's. */
export function decodeCursor(list: string, cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { l?: unknown; a?: unknown };
    if (c.l === list && typeof c.a === 'string' && c.a.length > 0) return c.a;
  } catch {
    /* falls through */
  }
  throw invalidCursor();
}

export function services(q: PageQuery): string[] | undefined {
  const codes = q.service
    ?.flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return codes?.length ? codes : undefined;
}

export function toPage<T extends { id: string }>(list: string, slice: Slice<T>): Page<T> {
  if (!slice) throw invalidCursor();
  const last = slice.items[slice.items.length - 1];
  return { items: slice.items, nextCursor: slice.hasMore && last ? encodeCursor(list, last.id) : null };
}

/** Response schema of a page of `item`s (serialised by fast-json-stringify). */
export function pageSchema(item: object) {
  return {
    type: 'object',
    properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
    required: ['items', 'nextCursor'],
  } as const;
}

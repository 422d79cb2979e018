import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';

import type { Page, PageQuery, SortDir } from '../domain/paging.js';

export type { Page, PageQuery, SortDir };

export class InvalidCursorError extends Error {}

interface CursorData {
  s: string;
  d: SortDir;
  v: string | number | null;
  id: string;
}

/**
 * A sort: a column name, `?column` for a nullable timestamp (NULLs sort as -1, i.e. first), or for
 * joined queries `{ ref: 'users.email', key: 'owner_email' }` (the qualified column and the row field),
 * or a computed value `{ expr, key }` that the query also selects as `key`.
 */
export type SortSpec =
  string | { ref: string; key: string; nullable?: boolean } | { expr: RawBuilder<unknown>; key: string };

function resolveSort(spec: SortSpec): { expr: ReturnType<typeof sql.ref> | ReturnType<typeof sql>; key: string } {
  if (typeof spec === 'object' && 'expr' in spec) return spec;
  if (typeof spec === 'string') {
    const nullable = spec.startsWith('?');
    const col = nullable ? spec.slice(1) : spec;
    return { expr: nullable ? sql`coalesce(${sql.ref(col)}, -1)` : sql.ref(col), key: col };
  }
  return { expr: spec.nullable ? sql`coalesce(${sql.ref(spec.ref)}, -1)` : sql.ref(spec.ref), key: spec.key };
}

/**
 * Keyset pagination on (sort value, id): stable under inserts and deletes, no duplicates or gaps
 * across pages. The cursor is opaque to callers and bound to its sort, so it cannot be replayed
 * against another ordering.
 */
export async function paginate<DB, TB extends keyof DB, Row, T, S extends string>(
  query: SelectQueryBuilder<DB, TB, Row>,
  page: PageQuery<S>,
  sorts: Record<S, SortSpec>,
  map: (row: Row) => T,
  idRef = 'id',
): Promise<Page<T>> {
  const { expr, key } = resolveSort(sorts[page.sort]);
  const idCol = sql.ref(idRef);
  let q = query;
  if (page.cursor) {
    let c: CursorData;
    try {
      c = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidCursorError('cursor is not valid');
    }
    if (!c || c.s !== page.sort || c.d !== page.dir || typeof c.id !== 'string') {
      throw new InvalidCursorError('cursor does not belong to this sort order');
    }
    const op = page.dir === 'asc' ? sql.raw('>') : sql.raw('<');
    const v = c.v === null ? -1 : c.v;
    q = q.where(sql<boolean>`(${expr} ${op} ${v} or (${expr} = ${v} and ${idCol} ${op} ${c.id}))`);
  }
  const rows = (await q
    .orderBy(expr, page.dir)
    .orderBy(idCol, page.dir)
    .limit(page.limit + 1)
    .execute()) as Array<Row & Record<string, unknown>>;
  const more = rows.length > page.limit;
  const pageRows = more ? rows.slice(0, page.limit) : rows;
  let nextCursor: string | null = null;
  if (more) {
    const last = pageRows[pageRows.length - 1];
    const cur: CursorData = {
      s: page.sort,
      d: page.dir,
      v: (last[key] ?? null) as CursorData['v'],
      id: last.id as string,
    };
    nextCursor = Buffer.from(JSON.stringify(cur)).toString('base64url');
  }
  return { items: pageRows.map(map), nextCursor };
}

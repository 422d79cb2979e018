/** A page of a list, asked for by sort and cursor (keyset pagination; the store implements it). */
export type SortDir = 'asc' | 'desc';

export interface PageQuery<S extends string> {
  sort: S;
  dir: SortDir;
  limit: number;
  /** Opaque, bound to its sort: the store refuses one made for another ordering. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

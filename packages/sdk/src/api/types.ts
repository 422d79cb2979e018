/** What API helpers need from the client: an authenticated JSON request. */
export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  method?: string;
  /** Added to the URL's query string; undefined and null values are left out. */
  query?: Record<string, QueryValue>;
  /** Sent as JSON (a string or a Uint8Array is sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Requester {
  /** Parsed JSON (or text) of a 2xx answer, undefined for 204; throws LatchkeyApiError otherwise. */
  request<T = unknown>(url: string, options?: RequestOptions): Promise<T>;
}

/** One page of a list; pass `nextCursor` back as `cursor` for the next. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListQuery {
  limit?: number;
  cursor?: string;
  order?: 'asc' | 'desc';
}

/** Every item of every page, fetched page by page as you iterate. */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

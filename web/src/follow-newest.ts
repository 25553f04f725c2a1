/**
 * Following a cursor-paged list (`{data, next_cursor}`, newest first) without skipping what arrives: the
 * event log's follow mode (useCursorList's refresh). Pure, so that test/web/event-log-follow.test.ts runs it
 * against the real admin API.
 */
import type { List } from './api';

/** How many pages followNewest reads at most before it gives the older rows up (see mergeNewest). */
export const FOLLOW_MAX_PAGES = 20;

/** The newest rows of a followed list, as followNewest read them. */
export interface Newest<T> {
  /** In the server's order, newest first. */
  rows: T[];
  /** The last page read shows a row already listed, or is the list's last: nothing between them and the listed rows. */
  caughtUp: boolean;
  /** The cursor after the last page read. */
  cursor: string | null;
}

/**
 * The newest rows of a followed list: the first page again and, while a page holds no row already listed
 * (more rows arrived than a page holds), the next page too, up to `maxPages`.
 */
export async function followNewest<T extends { id: string }>(
  fetchPage: (cursor: string | null) => Promise<List<T>>,
  listed: ReadonlySet<string>,
  maxPages = FOLLOW_MAX_PAGES,
): Promise<Newest<T>> {
  const rows: T[] = [];
  const seen = new Set<string>();
  for (let cursor: string | null = null, pages = 1; ; pages++) {
    const page = await fetchPage(cursor);
    for (const row of page.data) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      rows.push(row);
    }
    const caughtUp = page.data.some((i) => listed.has(i.id)) || page.next_cursor === null;
    if (caughtUp || pages >= maxPages) return { rows, caughtUp, cursor: page.next_cursor };
    cursor = page.next_cursor;
  }
}

/**
 * The followed list brought up to date: the newest rows ahead of the listed ones (those read again replace
 * their older copies), the listed list's cursor kept. Should followNewest not have reached the listed rows,
 * only what it read is kept, with the cursor of its last page, so that "load more" goes on from there:
 * never a gap between new and older rows. `added`: the rows that were not listed before.
 */
export function mergeNewest<T extends { id: string }>(
  listed: { items: readonly T[]; cursor: string | null },
  newest: Newest<T>,
): { items: T[]; cursor: string | null; added: T[] } {
  const before = new Set(listed.items.map((i) => i.id));
  const added = newest.rows.filter((i) => !before.has(i.id));
  if (!newest.caughtUp) return { items: newest.rows, cursor: newest.cursor, added };
  const head = new Set(newest.rows.map((i) => i.id));
  return { items: [...newest.rows, ...listed.items.filter((i) => !head.has(i.id))], cursor: listed.cursor, added };
}

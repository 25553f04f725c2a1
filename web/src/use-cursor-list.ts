import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, type List } from './api';
import { followNewest, mergeNewest } from './follow-newest';

/** A cursor-paged list (`{data, next_cursor}`) as a page shows it. */
export interface CursorList<T> {
  /** Every row read so far, in the server's order; null until the first page arrives (again after a reset). */
  items: T[] | null;
  error: string | null;
  /** The first page is on its way. */
  loading: boolean;
  /** The first page came back without a row. */
  empty: boolean;
  /** The server has a further page (`next_cursor`). */
  hasMore: boolean;
  /** A further page is on its way. */
  loadingMore: boolean;
  /** Reads the next page and appends its rows. */
  loadMore: () => Promise<void>;
  /** Starts again from the first page (after an error, say). */
  reload: () => void;
  /**
   * Reads the newest rows again (followNewest: page after page until it reaches what is listed) and puts
   * them ahead of what is listed, their rows replacing their older copies, the rest kept (a list that follows
   * what is new); resolves to the rows that were not listed before.
   */
  refresh: () => Promise<T[]>;
}

/**
 * The one cursor "load more" of the app's lists: reads the first page, then each next page with
 * `next_cursor`, and starts again from the first whenever `deps` (the filters) change. A page that comes
 * back after a reset is dropped, so a slow answer to an old filter never mixes into the new list.
 * `fetchPage(cursor)` reads one page (cursor null: the first); the latest one given is used.
 */
export function useCursorList<T extends { id: string }>(
  fetchPage: (cursor: string | null) => Promise<List<T>>,
  deps: readonly unknown[],
  errorMessage = 'Could not load the list.',
): CursorList<T> {
  const [items, setItemsState] = useState<T[] | null>(null);
  const [cursor, setCursorState] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // What the callbacks read, whichever render made them (a timer may hold an old one).
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const now = useRef<{ items: T[] | null; cursor: string | null; more: boolean }>({ items: null, cursor: null, more: false });
  /** Bumped by every reset: answers to an earlier one are dropped. */
  const generation = useRef(0);

  const setItems = (next: T[] | null) => {
    now.current.items = next;
    setItemsState(next);
  };
  const setCursor = (next: string | null) => {
    now.current.cursor = next;
    setCursorState(next);
  };
  const fail = (g: number, err: unknown) => {
    if (g === generation.current) setError(errorText(err, errorMessage));
  };

  const reload = () => {
    const g = ++generation.current;
    setItems(null);
    setCursor(null);
    setError(null);
    now.current.more = false;
    setLoadingMore(false);
    fetchRef.current(null).then((page) => {
      if (g !== generation.current) return;
      setItems(page.data);
      setCursor(page.next_cursor);
    }, (err: unknown) => fail(g, err));
  };
  useEffect(reload, deps);

  const loadMore = async () => {
    const after = now.current.cursor;
    if (!after || now.current.more) return;
    const g = generation.current;
    now.current.more = true;
    setLoadingMore(true);
    try {
      const page = await fetchRef.current(after);
      if (g !== generation.current) return;
      const listed = new Set(now.current.items?.map((i) => i.id));
      setItems([...(now.current.items ?? []), ...page.data.filter((i) => !listed.has(i.id))]);
      setCursor(page.next_cursor);
      setError(null);
    } catch (err) {
      fail(g, err);
    } finally {
      if (g === generation.current) {
        now.current.more = false;
        setLoadingMore(false);
      }
    }
  };

  const refresh = async (): Promise<T[]> => {
    const g = generation.current;
    try {
      const before = now.current.items;
      if (before === null) {
        const page = await fetchRef.current(null);
        if (g !== generation.current) return [];
        setError(null);
        setItems(page.data);
        setCursor(page.next_cursor);
        return [];
      }
      const newest = await followNewest((c) => fetchRef.current(c), new Set(before.map((i) => i.id)));
      if (g !== generation.current) return [];
      setError(null);
      // Merged with what is listed now (a "load more" may have added rows meanwhile).
      const next = mergeNewest({ items: now.current.items ?? [], cursor: now.current.cursor }, newest);
      setItems(next.items);
      setCursor(next.cursor);
      return next.added;
    } catch (err) {
      fail(g, err);
      return [];
    }
  };

  return {
    items, error, loading: items === null && error === null, empty: items !== null && items.length === 0,
    hasMore: cursor !== null, loadingMore, loadMore, reload, refresh,
  };
}

import { followNewest, mergeNewest } from '../../web/src/follow-newest';
import { createTestPartner, saleEvent, signedPost, startHubApp, type HubApp, type TestPartner } from '../helpers/partner';
import { uniq } from '../helpers/test-app';

/**
 * The partner console's event log in follow mode (web/src/partners/event-log.tsx polls every 2 s through
 * useCursorList's refresh: followNewest, then mergeNewest), run against the real admin API with the page's
 * own page size: more new events than a page holds arriving between two polls are all listed, none skipped.
 */
describe('the event log following new events (partner console)', () => {
  let t: HubApp;
  let p: TestPartner;
  beforeAll(async () => {
    t = await startHubApp(); // no worker: the events stay queued, listed from the queue
    p = await createTestPartner(t);
  });
  afterAll(() => t.stop());

  type Row = { id: string };
  const fetchPage = async (cursor: string | null) => {
    const q = new URLSearchParams({ limit: '50' });
    if (cursor) q.set('cursor', cursor);
    const res = await t.admin('get', `/admin/v1/partners/${p.name}/events?${q}`);
    expect(res.status).toBe(200);
    return res.body as { data: Row[]; next_cursor: string | null };
  };
  const send = async (n: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 10) {
      const batch = await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => signedPost(t, p, 'sale.updated', saleEvent({ id: uniq('S') }))));
      for (const res of batch) {
        expect(res.status).toBe(200);
        ids.push(res.body.event_id as string);
      }
    }
    return ids;
  };
  const newestFirst = (ids: string[]) => [...ids].sort().reverse();

  it('lists every event that arrived between two polls, also when they are more than a page', async () => {
    const first = await send(5);
    const page = await fetchPage(null);
    expect(page.data.map((e) => e.id)).toEqual(newestFirst(first));
    const listed = { items: page.data, cursor: page.next_cursor };

    const arrived = await send(120); // a busy POS: more than the page's 50 in one poll
    const next = mergeNewest(listed, await followNewest(fetchPage, new Set(listed.items.map((e) => e.id))));
    expect(next.items.map((e) => e.id)).toEqual(newestFirst([...first, ...arrived]));
    expect(next.added.map((e) => e.id)).toEqual(newestFirst(arrived));
    expect(next.cursor).toBeNull();

    // Caught up: the next poll reads one page and finds nothing new.
    const again = mergeNewest(next, await followNewest(fetchPage, new Set(next.items.map((e) => e.id))));
    expect(again.added).toEqual([]);
    expect(again.items.map((e) => e.id)).toEqual(next.items.map((e) => e.id));
  });

  it('when even its pages cannot reach the listed rows, keeps what it read and goes on with the cursor: no gap', async () => {
    const page = await fetchPage(null);
    const listed = { items: page.data, cursor: page.next_cursor };
    const arrived = await send(120);
    const next = mergeNewest(listed, await followNewest(fetchPage, new Set(listed.items.map((e) => e.id)), 2));
    expect(next.items.map((e) => e.id)).toEqual(newestFirst(arrived).slice(0, 100));
    expect(next.cursor).not.toBeNull();
    // "Load more" from there: the rest of the new events, then the older ones, none skipped.
    const more = await fetchPage(next.cursor);
    expect(more.data.map((e) => e.id).slice(0, 20)).toEqual(newestFirst(arrived).slice(100));
    expect(more.data[20]?.id).toBe(listed.items[0]!.id);
  });
});

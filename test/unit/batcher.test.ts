import { Batcher } from '../../src/platform/batcher';

describe('Batcher', () => {
  it('coalesces calls made together into one flush and gives each caller its own result', async () => {
    const flushes: number[][] = [];
    const b = new Batcher<number, number>(async (items) => {
      flushes.push(items);
      return items.map((x) => x * 10);
    });
    const results = await Promise.all([1, 2, 3, 4].map((x) => b.add(x)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(flushes).toEqual([[1, 2, 3, 4]]);
  });

  it('queues calls made during a flush for the next one, never more than maxInFlight at once', async () => {
    let running = 0;
    let peak = 0;
    const sizes: number[] = [];
    const b = new Batcher<number, number>(async (items) => {
      running += 1;
      peak = Math.max(peak, running);
      sizes.push(items.length);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
      return items;
    }, { maxInFlight: 1, maxBatch: 3 });
    const all: Promise<number>[] = [];
    for (let i = 0; i < 7; i++) all.push(b.add(i));
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(1);
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('puts an item added with first = true at the head of the line', async () => {
    const flushes: string[][] = [];
    const b = new Batcher<string, string>(async (items) => {
      flushes.push(items);
      await new Promise((r) => setTimeout(r, 5));
      return items;
    }, { maxInFlight: 1, maxBatch: 2 });
    const busy = b.add('busy');
    await new Promise((r) => setImmediate(r));
    // While 'busy' is flushed, two newcomers line up, then one item comes round again.
    const rest = [b.add('new1'), b.add('new2'), b.add('again', true)];
    await Promise.all([busy, ...rest]);
    expect(flushes).toEqual([['busy'], ['again', 'new1'], ['new2']]);
  });

  it('rejects every caller of a failed flush, and later calls still work', async () => {
    let fail = true;
    const b = new Batcher<string, string>(async (items) => {
      if (fail) throw new Error('db down');
      return items;
    });
    const first = await Promise.allSettled([b.add('a'), b.add('b')]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await b.add('c')).toBe('c');
  });
});

import { startProcesses, type ProcessGroup } from '../helpers/processes';
import { newSaleId, pool, postSigned, report, saleBody, setupPos } from './fault-helpers';

/**
 * Fault 4 (issue 18): 200 sales, each sent in 10 rising versions, all 2,000 sends shuffled and sent at once
 * to two API processes (two workers), for `conflict: "reject"` and `"queue"`. A POS resends a 409 (its
 * sale is busy) or a 503, bounded. The end: one sale per id, holding its newest version.
 */
describe.each(['reject', 'queue'] as const)('fault 4: resends in random order, conflict "%s"', (conflict) => {
  let group: ProcessGroup;
  beforeAll(async () => {
    group = await startProcesses({ api: 2, workers: 2 });
  }, 120_000);
  afterAll(() => group?.stop());

  it('keeps one sale per id with its newest version', async () => {
    const db = await group.db();
    const { partner } = await setupPos(group, { conflict });
    const saleIds = Array.from({ length: 200 }, newSaleId);
    const sends = saleIds.flatMap((id) => Array.from({ length: 10 }, (_, v) => ({ id, version: v + 1 })));
    for (let i = sends.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [sends[i], sends[j]] = [sends[j]!, sends[i]!];
    }
    let accepted = 0;
    let fiveXx = 0;
    let conflicts = 0;
    let gaveUp = 0;
    await pool(sends.length, 32, async (i) => {
      const { id, version } = sends[i]!;
      for (let attempt = 0; attempt < 100; attempt++) {
        const res = await postSigned(group.nextUrl(), partner, saleBody(id, version));
        if (res.status >= 500) fiveXx++;
        if (res.status === 200) return void accepted++;
        if (res.status === 409) conflicts++;
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
      }
      gaveUp++;
    });
    // Bounded wait for the queue to drain: every sale at version 10, or the deadline.
    const deadline = Date.now() + 120_000;
    let rows: { sale_id: string; n: number; source_version: string; total: number }[] = [];
    do {
      rows = (await db.query(
        `SELECT sale_id, COUNT(*) AS n, MAX(source_version) AS source_version, MAX(total) AS total FROM sales WHERE partner = ? GROUP BY sale_id`,
        [partner.name],
      )) as typeof rows;
      if (rows.length === saleIds.length && rows.every((r) => r.source_version === '10')) break;
      await new Promise((r) => setTimeout(r, 500));
    } while (Date.now() < deadline);
    const newest = rows.filter((r) => r.source_version === '10' && Number(r.total) === 1010).length;
    report(`04 200 sales x 10 versions shuffled, conflict ${conflict} (2 api, 2 workers)`, {
      sent: sends.length,
      accepted,
      processed: newest,
      lost: saleIds.length - rows.length,
      duplicated: rows.filter((r) => Number(r.n) > 1).length,
      '5xx': fiveXx,
      conflicts_409: conflicts,
      gave_up: gaveUp,
      not_newest: rows.length - newest,
    });
    expect(gaveUp).toBe(0);
    expect(fiveXx).toBe(0);
    expect(rows).toHaveLength(saleIds.length);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    expect(newest).toBe(saleIds.length);
  }, 300_000);
});

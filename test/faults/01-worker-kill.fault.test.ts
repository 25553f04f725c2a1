import { startProcesses, type ProcessGroup } from '../helpers/processes';
import { burstWithWorkerKill, report } from './fault-helpers';

/** Fault 1 (issue 18): SIGKILL a worker process halfway through a burst of 5,000 signed POS events. */
describe('fault 1: a worker killed mid-burst', () => {
  let group: ProcessGroup;
  beforeAll(async () => {
    group = await startProcesses({ api: 1, workers: 1 });
  }, 120_000);
  afterAll(() => group?.stop());

  it('a new worker finishes them: every accepted event processed once, no sale lost or doubled', async () => {
    const figures = await burstWithWorkerKill(group, 5000);
    report('01 worker SIGKILL mid-burst (1 api, 1 worker)', figures);
    expect(figures.accepted).toBe(figures.sent);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures['5xx']).toBe(0);
    expect(figures.processed).toBe(figures.accepted);
  }, 420_000);
});

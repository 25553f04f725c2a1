import { startProcesses, type ProcessGroup } from '../helpers/processes';
import { startRedisCluster, type RedisClusterHandle } from '../helpers/redis-cluster';
import { burstWithWorkerKill, report } from './fault-helpers';

/** Fault 8 (issue 18): the burst of fault 1 against a 3-master Redis Cluster, two API and two worker processes. */
describe('fault 8: a worker killed mid-burst on a Redis Cluster, 2 API + 2 worker processes', () => {
  let cluster: RedisClusterHandle;
  let group: ProcessGroup;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    group = await startProcesses({ api: 2, workers: 2, env: { REDIS_URL: cluster.url } });
  }, 120_000);
  afterAll(async () => {
    await group?.stop();
    await cluster?.stop();
  });

  it('every accepted event processed once, no sale lost or doubled', async () => {
    const figures = await burstWithWorkerKill(group, 5000);
    report('08 worker SIGKILL mid-burst on a Redis Cluster (2 api, 2 workers)', figures);
    expect(figures.accepted).toBe(figures.sent);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures['5xx']).toBe(0);
    expect(figures.processed).toBe(figures.accepted);
  }, 420_000);
});

import { Socket } from 'node:net';
import type { Config } from './config';

function reachable(host: string, port: number, ms = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** Names of the engines that do not answer on their configured address. */
export async function checkServices(config: Config): Promise<string[]> {
  const db = new URL(config.databaseUrl);
  // A cluster needs one seed node that answers; ioredis finds the others from it.
  const redisNodes = config.redis.nodes;
  const [dbOk, ...redisOks] = await Promise.all([
    reachable(db.hostname || '127.0.0.1', Number(db.port || 3306)),
    ...redisNodes.map((n) => reachable(n.host, n.port)),
  ]);
  const redisOk = redisOks.some(Boolean);
  const redisWhere = redisNodes.map((n) => `${n.host}:${n.port}`).join(',');
  return [...(dbOk ? [] : [`MySQL/MariaDB at ${db.host}`]), ...(redisOk ? [] : [`Redis at ${redisWhere}`])];
}

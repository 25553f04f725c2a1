import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import supertest from 'supertest';
import { createDataSource } from '../../src/platform/db/data-source';
import type { DataSource } from 'typeorm';
import { freePort } from './private-redis';
import { ADMIN_TOKEN, testEnv, type TestApp } from './test-app';
import { waitFor } from './wait-for';

const ROOT = path.join(__dirname, '..', '..');
/** The compiled entry (the fault suite's global setup builds it when stale), as production runs it. */
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');

export type ProcessRole = 'api' | 'worker';

export interface AppProcess {
  readonly role: ProcessRole;
  readonly child: ChildProcess;
  /** The HTTP port (api role); 0 for workers. */
  readonly port: number;
  /** The last lines it printed (for failure messages). */
  tail(): string;
  /** Resolves with the exit code or signal once it has exited. */
  readonly exited: Promise<number | string | null>;
}

export interface ProcessGroup {
  /** The environment every process shares: the run's database, one Redis prefix. */
  readonly env: Record<string, string>;
  readonly apis: AppProcess[];
  readonly workers: AppProcess[];
  /** Base URL of the next API process in turn (round robin). */
  nextUrl(): string;
  /** A TestApp-shaped handle on one API process over HTTP, for the admin helpers (createVenue, …). */
  adminApp(): TestApp;
  /** The run's database (one connection pool, closed by stop). */
  db(): Promise<DataSource>;
  startWorker(): Promise<AppProcess>;
  startApi(): Promise<AppProcess>;
  /** SIGKILL: no graceful shutdown, jobs in flight are left to stalled-job recovery. */
  kill(p: AppProcess): Promise<void>;
  /** SIGTERM to every process still running (SIGKILL after 15 s), then closes the database handle. */
  stop(): Promise<void>;
}

const TAIL_LINES = 60;

function spawnApp(role: ProcessRole, env: Record<string, string>, port: number): AppProcess {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    // API processes log warnings only (a line per request would cost the burst); a worker's start is read from its info line.
    env: { PATH: process.env.PATH ?? '', ...env, ...(role === 'api' ? { LOG_LEVEL: 'warn' } : {}), ROLE: role, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line) lines.push(line.slice(0, 2000));
    if (lines.length > TAIL_LINES * 2) lines.splice(0, lines.length - TAIL_LINES);
  };
  let started = false;
  child.stdout!.on('data', (d: Buffer) => {
    if (!started && d.toString().includes('"msg":"tablesync started"')) started = true;
    keep(d);
  });
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const p: AppProcess & { started(): boolean } = {
    role,
    child,
    port,
    tail: () => lines.slice(-TAIL_LINES).join('\n'),
    exited,
    started: () => started,
  };
  return p;
}

async function waitStarted(p: AppProcess): Promise<void> {
  let gone: number | string | null | undefined;
  void p.exited.then((c) => (gone = c ?? 'exited'));
  await waitFor(
    async () => {
      if (gone !== undefined) throw new Error(`${p.role} process exited (${gone}) before starting:\n${p.tail()}`);
      if (p.role === 'worker') return (p as AppProcess & { started(): boolean }).started();
      return (await fetch(`http://127.0.0.1:${p.port}/readyz`)).status === 200;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `a ${p.role} process to start` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${p.tail()}`);
  });
}

/**
 * Starts `api` ROLE=api and `workers` ROLE=worker processes of the compiled app (dist/src/main.js) on
 * loopback, against the run's database and one fresh Redis prefix (`overrides` e.g. REDIS_URL for a
 * private Redis or a cluster). Requests go to each API port in turn (nextUrl). Also used by
 * bench/scale-out.ts (with `baseEnv`).
 */
export async function startProcesses(opts: {
  api: number;
  workers: number;
  env?: Record<string, string>;
  /** The environment to start from instead of the jest run's (testEnv): the benches pass their throwaway one. */
  baseEnv?: Record<string, string>;
}): Promise<ProcessGroup> {
  const env: Record<string, string> = { ...(opts.baseEnv ?? testEnv()), LOG_LEVEL: 'info', ...opts.env };
  const apis: AppProcess[] = [];
  const workers: AppProcess[] = [];
  let turn = 0;
  let ds: DataSource | null = null;
  const group: ProcessGroup = {
    env,
    apis,
    workers,
    nextUrl() {
      const live = apis.filter((a) => a.child.exitCode === null && a.child.signalCode === null);
      if (!live.length) throw new Error('no API process is running');
      return `http://127.0.0.1:${live[turn++ % live.length]!.port}`;
    },
    adminApp() {
      const http = supertest(group.nextUrl());
      return {
        http,
        admin: (method: 'get' | 'post' | 'put' | 'patch' | 'delete', p: string) => http[method](p).set('Authorization', `Bearer ${ADMIN_TOKEN}`),
      } as unknown as TestApp;
    },
    async db() {
      if (!ds) ds = await createDataSource(env.DATABASE_URL!, { poolSize: 4 }).initialize();
      return ds;
    },
    async startWorker() {
      const p = spawnApp('worker', env, 0);
      workers.push(p);
      await waitStarted(p);
      return p;
    },
    async startApi() {
      const p = spawnApp('api', env, await freePort());
      apis.push(p);
      await waitStarted(p);
      return p;
    },
    async kill(p) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    },
    async stop() {
      await Promise.all(
        [...apis, ...workers].map(async (p) => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) return;
          p.child.kill('SIGTERM');
          const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
          await p.exited;
          clearTimeout(timer);
        }),
      );
      if (ds?.isInitialized) await ds.destroy();
    },
  };
  try {
    // One at a time: the first runs the migrations and syncs mappings/, the others find them done.
    for (let i = 0; i < opts.api; i++) await group.startApi();
    await Promise.all(Array.from({ length: opts.workers }, () => group.startWorker()));
  } catch (err) {
    await group.stop();
    throw err;
  }
  return group;
}

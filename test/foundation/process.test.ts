import { spawn } from 'node:child_process';
import path from 'node:path';
import { testEnv } from '../helpers/test-app';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs src/main.ts as `npm start` does, with the given environment; `onStarted` may signal it. */
function runMain(env: Record<string, string>, onStarted?: (child: ReturnType<typeof spawn>, port: number) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ['src/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /"port":(\d+)[^\n]*"msg":"tablesync started"/.exec(stdout);
      if (m && onStarted) {
        const cb = onStarted;
        onStarted = undefined;
        cb(child, Number(m[1]));
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// Each case starts src/main.ts through tsx (a cold compile of the tree): seconds on a quiet machine, a minute
// on a loaded one, hence the long timeouts.
describe('the process (npm start)', () => {
  it('serves /readyz, then on SIGTERM stops taking requests, finishes and exits 0', async () => {
    let ready: number | null = null;
    const run = await runMain({ ...testEnv({ LOG_LEVEL: 'info' }), PORT: '0' }, (child, port) => {
      void fetch(`http://127.0.0.1:${port}/readyz`).then((res) => {
        ready = res.status;
        child.kill('SIGTERM');
      });
    });
    expect(ready).toBe(200);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"signal":"SIGTERM"');
  }, 120_000);

  it('says in one line how to start MariaDB and Redis when they do not answer', async () => {
    const run = await runMain({ ...testEnv(), DATABASE_URL: 'mysql://root@127.0.0.1:1/tablesync', REDIS_URL: 'redis://127.0.0.1:2' });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Cannot reach MySQL\/MariaDB .* and Redis .*npm run services/);
  }, 120_000);

  it('stops with a message naming the variable when the configuration is bad', async () => {
    const run = await runMain({ ...testEnv(), PORT: 'eighty' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('Invalid env var PORT: must be an integer, got "eighty"');
  }, 120_000);
});

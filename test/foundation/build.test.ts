import { execFile, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDataSource } from '../../src/platform/db/data-source';
import { testEnv, uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

const ROOT = path.join(__dirname, '..', '..');

describe('the compiled build (CONTRACT §14)', () => {
  it('npm start builds dist/ when it is stale, and the compiled process migrates, loads mappings/ and serves /readyz', async () => {
    // Builds only when a source is newer than the last build (what `npm start` does before it runs node).
    await promisify(execFile)('bash', ['scripts/start.sh', '--build-if-stale'], { cwd: ROOT, timeout: 240_000 });
    const stamp = path.join(ROOT, 'dist', '.build-stamp');
    expect(existsSync(path.join(ROOT, 'dist', 'src', 'main.js'))).toBe(true);
    expect(statSync(stamp).mtimeMs).toBeGreaterThanOrEqual(statSync(path.join(ROOT, 'src', 'main.ts')).mtimeMs);

    // A fresh database: the compiled process must run the migrations itself.
    const base = new URL(process.env.TEST_DATABASE_URL!);
    base.pathname = `/${base.pathname.slice(1)}_${uniq('b').replace('-', '_')}`;
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...testEnv({ LOG_LEVEL: 'info', DATABASE_URL: base.toString() }), PORT: '0' },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const port = await waitFor(async () => Number(/"port":(\d+)[^\n]*"msg":"tablesync started"/.exec(stdout)?.[1]), {
        timeoutMs: 30_000,
        what: 'the compiled process to start',
      });
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      // mappings/ is found from dist/src/ too: its partners were created at start.
      const ds = await createDataSource(base.toString(), { poolSize: 1 }).initialize();
      try {
        const rows = (await ds.query(`SELECT name FROM partners WHERE name = 'demo-pos'`)) as unknown[];
        expect(rows).toHaveLength(1);
      } finally {
        await ds.query(`DROP DATABASE \`${base.pathname.slice(1)}\``);
        await ds.destroy();
      }
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 300_000);
});

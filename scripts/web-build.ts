/**
 * The web app's build (web/ → web/dist, CONTRACT §9): `npm run build:web` runs Vite; this module tells
 * whether that build is missing or older than its sources, so a start script and the tests can build
 * only when needed. `npx tsx scripts/web-build.ts` builds when stale; `--force` always.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..');

/** The build's entry: written last by Vite, so its time is the build's time. */
export function webShellPath(root = PROJECT_ROOT): string {
  return join(root, 'web', 'dist', 'index.html');
}

/** Newest modification time (ms) of the files the build reads: web/ outside web/dist, and the lock file. */
function newestSourceMtime(root: string): number {
  let newest = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join(root, 'web', 'dist') && entry.name !== 'node_modules') visit(path);
      } else {
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  visit(join(root, 'web'));
  // A front-end dependency that changed version changes the bundle too.
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock)) newest = Math.max(newest, statSync(lock).mtimeMs);
  return newest;
}

/** Why the web build must be (re)made, or null when web/dist is current. */
export function webBuildStaleReason(root = PROJECT_ROOT): string | null {
  const shell = webShellPath(root);
  if (!existsSync(shell)) return 'web/dist is missing';
  if (newestSourceMtime(root) > statSync(shell).mtimeMs) return 'web/ sources are newer than web/dist';
  return null;
}

export function webBuildIsStale(root = PROJECT_ROOT): boolean {
  return webBuildStaleReason(root) !== null;
}

/** Runs the same build as `npm run build:web`; throws with Vite's output when it fails. */
export function buildWeb(root = PROJECT_ROOT): void {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', join(root, 'web', 'vite.config.mts')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`web build failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Builds when missing or stale; returns whether it built. */
export function ensureWebBuild(root = PROJECT_ROOT): boolean {
  if (!webBuildIsStale(root)) return false;
  buildWeb(root);
  return true;
}

if (require.main === module) {
  const force = process.argv.includes('--force');
  const reason = force ? 'forced' : webBuildStaleReason();
  if (reason) {
    console.log(`building the web app (${reason})`);
    buildWeb();
  } else {
    console.log('web app build is current');
  }
}

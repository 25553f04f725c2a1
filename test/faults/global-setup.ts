import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import globalSetup from '../global-setup';

/** The run's database and prefix (as for npm test), and dist/ current: fault tests run the compiled app. */
export default async function faultSuiteSetup(): Promise<void> {
  await promisify(execFile)('bash', ['scripts/start.sh', '--build-if-stale'], { cwd: path.join(__dirname, '..', '..'), timeout: 180_000 });
  await globalSetup();
}

// Sign-in hash cost (issue 13): the time of one argon2id hash and one verification with the parameters
// staff passwords use (src/modules/people/passwords.ts, config PASSWORD_HASH_MEMORY_KIB /
// PASSWORD_HASH_ITERATIONS, defaults 32 MiB × 6 passes, parallelism 1), and of a whole
// `POST /api/v1/session` (verification, session in Redis, cookie) on the real app with those defaults;
// beside the lean reference in the same run: the same library at OWASP's minimum for argon2id (19 MiB ×
// 2 passes). Aim: 50–250 ms per hash.
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { loadConfig } from '../src/platform/config';
import { PasswordHasher } from '../src/modules/people/passwords';
import { createBenchEnv, median, type BenchResult } from './bench-env';
import { startBenchApp } from './bench-app';

const ROUNDS = Number(process.env.BENCH_SIGN_IN_ROUNDS ?? 15);
const PASSWORD = 'correct horse battery staple';

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export async function run(): Promise<BenchResult> {
  const env = await createBenchEnv('signin');
  const app = await startBenchApp(env, 'api');
  try {
    // The cost the app runs with when nothing is configured (the bench env leaves both variables unset).
    const config = loadConfig(env.env);
    const hasher = new PasswordHasher({ memoryKib: config.passwordHashMemoryKib, iterations: config.passwordHashIterations });
    const stored = await hasher.hash(PASSWORD);
    const lean = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
    const leanStored = await hash(PASSWORD, lean);

    // Alternating rounds of the real cost and the reference.
    const realHash: number[] = [];
    const realVerify: number[] = [];
    const refHash: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      realHash.push(...(await timeEach(1, () => hasher.hash(PASSWORD))));
      realVerify.push(...(await timeEach(1, () => hasher.verify(stored, PASSWORD))));
      refHash.push(...(await timeEach(1, () => hash(PASSWORD, lean))));
    }
    const refVerify = await timeEach(ROUNDS, () => verify(leanStored, PASSWORD));

    // The whole sign-in on the real app.
    const port = await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    const admin = { Authorization: `Bearer ${config.adminToken}`, 'Content-Type': 'application/json' };
    const venue = (await (await fetch(`${base}/admin/v1/venues`, {
      method: 'POST', headers: admin,
      body: JSON.stringify({ name: 'Sign-in', slug: `signin-${randomBytes(3).toString('hex')}`, timezone: 'Europe/London', currency: 'GBP', areas: [], services: [] }),
    })).json()) as { id: string };
    const email = `owner-${randomBytes(3).toString('hex')}@bench.example`;
    const user = await fetch(`${base}/admin/v1/venues/${venue.id}/users`, { method: 'POST', headers: admin, body: JSON.stringify({ email, name: 'Owner', role: 'owner', password: PASSWORD }) });
    if (user.status !== 201) throw new Error(`user: ${user.status} ${await user.text()}`);
    const signIns = await timeEach(Math.min(ROUNDS, 9), async () => {
      const res = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
      if (res.status !== 200) throw new Error(`sign-in ${res.status}`);
      await res.arrayBuffer();
    });

    const real = median(realHash);
    const reference = median(refHash);
    return {
      name: 'sign-in hash', unit: 'ms per argon2id hash', real, reference, ratio: reference / real, aim: '50–250 ms',
      extra: {
        params: `argon2id m=${config.passwordHashMemoryKib} KiB t=${config.passwordHashIterations} p=1`,
        reference_params: 'argon2id m=19456 KiB t=2 p=1 (OWASP minimum)',
        real_hash_min_ms: Math.min(...realHash).toFixed(0), real_hash_max_ms: Math.max(...realHash).toFixed(0),
        real_verify_median_ms: median(realVerify).toFixed(0), reference_verify_median_ms: median(refVerify).toFixed(0),
        sign_in_median_ms: median(signIns).toFixed(0), rounds: ROUNDS,
      },
    };
  } finally {
    await app.stop();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}

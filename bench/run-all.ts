// `npm run bench`: every benchmark in turn, each beside its lean reference measured in the same run.
// Run one alone with `npx tsx bench/run-all.ts <name>` (ingest, pipeline, reservations, availability, bookings, webhooks,
// scale-out, diary, live, sign-in, console, guests).
import { printResult, type BenchResult } from './bench-env';

const BENCHES: Record<string, () => Promise<{ run: () => Promise<BenchResult | BenchResult[]> }>> = {
  ingest: () => import('./ingest'),
  pipeline: () => import('./pipeline'),
  reservations: () => import('./reservations'),
  availability: () => import('./availability'),
  bookings: () => import('./bookings'),
  webhooks: () => import('./webhooks'),
  'scale-out': () => import('./scale-out'),
  diary: () => import('./diary'),
  live: () => import('./live'),
  'sign-in': () => import('./sign-in'),
  console: () => import('./console'),
  guests: () => import('./guests'),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  const results: BenchResult[] = [];
  for (const name of names) {
    const load = BENCHES[name];
    if (!load) throw new Error(`unknown bench ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
    console.log(`\n== ${name}`);
    const out = await (await load()).run();
    for (const r of Array.isArray(out) ? out : [out]) {
      printResult(r);
      results.push(r);
    }
  }
  console.log('\n== summary');
  console.table(results.map((r) => ({ bench: r.name, unit: r.unit, real: +r.real.toFixed(1), reference: +r.reference.toFixed(1), ratio: +r.ratio.toFixed(2), aim: r.aim })));
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * `npm run mappings:test [mappings-dir] [filter]`: runs every mapping fixture through the
 * production mapping path and prints PASS/FAIL per case with a readable diff. Exit 1 on any
 * failure. No database or Redis needed.
 */
import { resolve } from 'node:path';
import { DEFAULT_MAPPINGS_DIR, describeFailure, discoverFixtureCases, runFixtureCase } from '../src/modules/partners/mapping/fixture-runner';

async function main(): Promise<number> {
  const [dirArg, filter] = process.argv.slice(2);
  const dir = dirArg ? resolve(dirArg) : DEFAULT_MAPPINGS_DIR;
  const cases = discoverFixtureCases(dir).filter((c) => !filter || c.name.includes(filter));
  if (cases.length === 0) {
    console.error(`No fixtures found under ${dir}${filter ? ` matching "${filter}"` : ''}.`);
    return 1;
  }
  let failed = 0;
  for (const c of cases) {
    const result = await runFixtureCase(c);
    console.log(`${result.pass ? 'PASS' : 'FAIL'}  ${c.name}`);
    if (!result.pass) {
      failed += 1;
      for (const line of describeFailure(result)) console.log(line);
    }
  }
  console.log(`\n${cases.length - failed} passed, ${failed} failed, ${cases.length} total`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

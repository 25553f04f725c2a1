import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
(async () => {
  const s = new Session(); s.connect();
  await s.post('HeapProfiler.enable');
  await s.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  const mod = await import(process.env.MOD!);
  const r = await mod.run();
  const { profile } = await s.post('HeapProfiler.stopSampling');
  writeFileSync(process.env.OUT!, JSON.stringify(profile));
  console.log(r); process.exit(0);
})();

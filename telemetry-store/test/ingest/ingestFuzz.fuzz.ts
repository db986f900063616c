// The long fuzz run (`npm run test:fuzz`, which CI runs after `npm test`): every hostile shape
// once, then 100,000 random, mutated, hostile and valid bodies against an ingest with its default
// limits, whose documented memory ceiling must hold.
import { test } from 'node:test';
import { runFuzz } from './fuzz/fuzzRun.ts';

test('fuzz: 100,000 bodies with the default limits: no crash, no 5xx, RSS within the documented ceiling, valid data all lands', {
  timeout: 3_600_000,
}, async (t) => {
  await runFuzz(t, { bodies: 100_000, seed: 18, connections: 8, env: { MARKETBENCH_INGEST_FSYNC: 'never' } });
});

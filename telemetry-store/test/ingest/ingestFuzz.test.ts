// The short fuzz run inside `npm test`: every hostile shape once, then 4,000 random, mutated,
// hostile and valid bodies against an ingest with small limits (so that bombs are cheap). The
// long run (100,000 bodies, default limits) is `npm run test:fuzz` (ingestFuzz.fuzz.ts).
import { test } from 'node:test';
import { runFuzz } from './fuzz/fuzzRun.ts';

test('fuzz: 4,000 bodies with small limits: no crash, no 5xx, bounded RSS, valid data all lands', {
  timeout: 300_000,
}, async (t) => {
  await runFuzz(t, {
    bodies: 4000,
    seed: 20261205,
    connections: 8,
    env: {
      MARKETBENCH_INGEST_MAX_BODY_BYTES: String(1024 * 1024),
      MARKETBENCH_INGEST_MAX_DECOMPRESSED_BYTES: String(1024 * 1024),
      MARKETBENCH_INGEST_MAX_INFLIGHT_BYTES: String(4 * 1024 * 1024),
      MARKETBENCH_INGEST_MAX_ITEMS: '20000',
      MARKETBENCH_INGEST_MAX_ELEMENTS: '100000',
      MARKETBENCH_INGEST_MAX_DEPTH: '16',
      MARKETBENCH_INGEST_MAX_QUEUE_BYTES: String(32 * 1024 * 1024),
      MARKETBENCH_INGEST_FSYNC: 'never',
    },
  });
});

// `marketbench store init|info|migrate` spawned as the real command: output and exit codes.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SCHEMA_VERSION } from '@marketbench/telemetry-store';
import { cleanup, run, tempHome } from './runCli.ts';

after(cleanup);

test('store init, info and migrate on a fresh home: schema version, tables, idempotent migrate', async () => {
  const home = tempHome();
  const before = await run(['store', 'info', '--json'], home);
  assert.equal(before.code, 0, before.stderr);
  assert.equal(
    (JSON.parse(before.stdout) as { schemaVersion: number }).schemaVersion,
    0,
    'info does not migrate',
  );
  const init = await run(['store', 'init'], home);
  assert.equal(init.code, 0, init.stderr);
  assert.match(
    init.stdout,
    new RegExp(`store ready: chdb at .*clickhouse, database otel, schema version ${SCHEMA_VERSION}\n`),
  );
  const migrate = await run(['store', 'migrate'], home);
  assert.equal(migrate.stdout, `schema already at version ${SCHEMA_VERSION}; nothing to apply\n`);
  const info = await run(['store', 'info'], home);
  assert.equal(info.code, 0, info.stderr);
  assert.match(
    info.stdout,
    new RegExp(
      `^backend: {2}chdb\nlocation: .*\ndatabase: otel\nschema: {3}version ${SCHEMA_VERSION} \\(this marketbench: ${SCHEMA_VERSION}\\)\non disk: {2}\\d`,
    ),
  );
  for (const t of ['otel_traces', 'otel_metrics_histogram', 'otel_logs', 'marketbench_load_requests']) {
    assert.match(info.stdout, new RegExp(`\\n${t}\\s+\\w*MergeTree\\s+0\\s`));
  }
  const badTtl = await run(['store', 'init'], home, { MARKETBENCH_TTL_DAYS: 'soon' });
  assert.equal(badTtl.code, 1);
  assert.equal(
    badTtl.stderr,
    'marketbench: MARKETBENCH_TTL_DAYS must be a non-negative integer, got "soon" [MB_ERR_USAGE]\n',
  );
});

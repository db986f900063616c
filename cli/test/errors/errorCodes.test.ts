// Done-when of issue 14: every documented error code is produced by a test that spawns the CLI
// and reads its one-line message and exit code. Each case below runs the real `marketbench`
// command into a code; a code only a package's API can produce (an HTTP answer of the ingest, a
// corrupted store, a bug) is listed in API_ONLY with the test that produces it there. A code in a
// catalog with neither fails the last test, so a new code cannot go untested.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { CONTRACT_ERRORS, type ErrorCatalog, processEnvironment } from '@marketbench/contracts';
import { DASHBOARD_ERRORS } from '@marketbench/dashboards';
import { SCENARIO_ERRORS } from '@marketbench/load-scenarios';
import { SERVICE_ERRORS } from '@marketbench/reference-service';
import { SLO_ERRORS } from '@marketbench/slo-definitions';
import { INGEST_ERRORS, STORE_ERRORS } from '@marketbench/telemetry-store';
import { CLI_ERRORS } from '../../src/errors.ts';
import { asMarketbenchError } from '../../src/main.ts';
import { cleanup, run, tempHome } from '../commands/runCli.ts';

after(cleanup);

const CATALOGS: ErrorCatalog<string>[] = [
  CONTRACT_ERRORS,
  CLI_ERRORS,
  STORE_ERRORS,
  INGEST_ERRORS,
  SCENARIO_ERRORS,
  SLO_ERRORS,
  DASHBOARD_ERRORS,
  SERVICE_ERRORS,
];
const exitOf = (code: string): number => {
  const catalog = CATALOGS.find((c) => c.has(code));
  assert.ok(catalog, `${code} is in no catalog`);
  return catalog.spec(code).exit;
};

/** Where a code that no CLI invocation can produce is produced instead. */
const API_ONLY: Record<string, string> = {
  MB_ERR_INTERNAL: 'a bug by definition: asMarketbenchError(new RangeError()) below',
  MB_ERR_RUN_NO_METRICS: 'a run stored by an older marketbench: cli/test/gate (runData) on such rows',
  MB_ERR_STACK_START: 'the service child crashing at start: cli/test/stack (startStack)',
  MB_ERR_INTERRUPTED: 'a SIGINT during stack start-up, a race: cli/test/stack (runMainJob)',
  MB_ERR_SQLITE_IN_USE: 'two services on one SQLite file: reference-service/test/store (openSqlite)',
  MB_ERR_RECONCILIATION_FAILED: 'a PSP/books discrepancy: cli/test/commands (reconcile) on a forged ledger',
  MB_ERR_CAPACITY_NO_FIT: 'a capacity run with fewer than 3 loads: cli/test/capacity',
  MB_ERR_SLO_DRILL_NO_DATA: 'spans lost during a drill: cli/src/slo/runDrill on an empty store',
  MB_ERR_INSERT_FAILED: 'a rejected insert: telemetry-store/test/store (storeSuite)',
  MB_ERR_STORE_CLOSED: 'a handle used after close(): telemetry-store/test/store (storeSuite)',
  MB_ERR_MIGRATION_CHECKSUM: 'an edited applied migration: telemetry-store/test/schema/migrations.test.ts',
  MB_ERR_SCHEMA_TOO_NEW:
    'a store migrated by a newer version: telemetry-store/test/schema/migrations.test.ts',
  MB_ERR_SLO_QUERY: 'a failing burn-rate query: slo-definitions/test/clickhouse',
  MB_ERR_SLO_DRILL_FAILED: 'a missed or false page: slo-definitions/test/drill/replayDrill.test.ts',
  MB_ERR_DASHBOARDS_MACRO: 'a query the Grafana plugin rejects: dashboards/test/errors.test.ts',
  MB_ERR_BASELINE_INVALID: 'gate reads the run before the baseline file: cli/test/gate (baselineFile)',
  MB_ERR_SLO_PROMETHEUS: 'a Prometheus/Alertmanager drill failure: slo-definitions/test (prometheusDrill)',
  MB_ERR_STORE_LOCKED: 'a second owner of one chDB directory: telemetry-store/test/store/openStore.test.ts',
};
for (const code of INGEST_ERRORS.codes)
  API_ONLY[code] =
    `an HTTP answer (status ${INGEST_ERRORS.spec(code).status}): telemetry-store/test/ingest/badInput.test.ts`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-error-codes-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
};

/** A scenario module with one journey, `change` applied to its definition. */
function scenario(name: string, change: string): string {
  return file(
    `${name}.ts`,
    `const def = {
  apiVersion: 'marketbench/v1', name: '${name}', description: 'error-code test',
  options: { scenarios: { main: { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 1, maxVUs: 1 } } },
  journeys: { only: { weight: 1, steps: [{ name: 'ping', method: 'GET', path: '/healthz' }] } },
};
${change}
export default def;
`,
  );
}

const GOOD_SPEC = fs.readFileSync(
  path.resolve(import.meta.dirname, '../../../slo-definitions/specs/reference-service.yaml'),
  'utf8',
);
function specs(name: string, text: string): string {
  return path.dirname(file(`${name}/specs.yaml`, text));
}

interface Case {
  args: string[];
  env?: Record<string, string>;
  /** The message starts with this (after `marketbench: `). */
  says?: RegExp;
}

/** Runs the CLI with `env` over the process's, CLICKHOUSE_URL included (runCli's run drops it). */
function spawnCli(args: string[], env: Record<string, string>): { code: number | null; stderr: string } {
  const bin = path.resolve(import.meta.dirname, '../../bin/marketbench.js');
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...processEnvironment(), MARKETBENCH_HOME: tempHome(), ...env },
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr };
}

async function taken(): Promise<{ port: number; close: () => void }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

const CASES: Record<string, () => Promise<Case> | Case> = {
  MB_ERR_USAGE: () => ({ args: ['serve', '--port', '8_080'], says: /--port must be a port number/ }),
  MB_ERR_NODE_TOO_OLD: () => ({ args: [] }), // run under the machine's older node below
  MB_ERR_BUDGET_INVALID: () => ({ args: ['gate', '--budgets', path.join(dir, 'missing.yaml')] }),
  MB_ERR_NO_RUNS: () => ({ args: ['report', '--last'] }),
  MB_ERR_RUN_UNKNOWN: () => ({ args: ['report', 'no-such-run'] }),
  MB_ERR_DASHBOARDS_STALE: () => ({
    args: [
      'dashboards',
      'build',
      '--check',
      '--out',
      path.join(dir, 'dash'),
      '--provisioning',
      path.join(dir, 'prov'),
    ],
  }),
  MB_ERR_PORT_IN_USE: async () => {
    const t = await taken();
    setTimeout(t.close, 30_000).unref();
    return { args: ['ingest', '--port', String(t.port)] };
  },
  MB_ERR_INGEST_NOT_RUNNING: () => ({ args: ['ingest', 'stats'] }),
  MB_ERR_SERVE_DEPENDENCY: () => ({
    args: ['serve', '--port', '0', '--items', '10', '--no-telemetry'],
    env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' },
  }),
  MB_ERR_SERVE_FAILED: () => ({
    args: [
      'serve',
      '--port',
      '0',
      '--items',
      '10',
      '--no-telemetry',
      '--sqlite',
      dir, // a directory is not a SQLite file
    ],
  }),
  MB_ERR_RECONCILIATION_UNAVAILABLE: () => ({
    args: ['reconcile', '--url', 'http://127.0.0.1:1', '--admin-token', 't', '--settle', '0'],
  }),
  MB_ERR_CAPACITY_NO_RUN: () => ({ args: ['capacity', 'report'] }),
  MB_ERR_STORE_CONFIG: () => ({ args: ['store', 'info'], env: { MARKETBENCH_DATABASE: 'a;drop' } }),
  MB_ERR_STORE_UNREACHABLE: () => ({
    args: ['store', 'info'],
    env: { CLICKHOUSE_URL: 'http://127.0.0.1:1' },
  }),
  MB_ERR_QUERY_FAILED: () => ({ args: ['query', 'SELEC 1'] }),
  MB_ERR_SCENARIO_UNKNOWN: () => ({ args: ['export', 'k6', 'no-such-scenario'] }),
  MB_ERR_SCENARIO_LOAD: () => ({ args: ['export', 'k6', file('broken.ts', 'export default {')] }),
  MB_ERR_SCENARIO_FIELD: () => ({ args: ['export', 'k6', scenario('field', 'delete def.journeys;')] }),
  MB_ERR_SCENARIO_EXECUTOR: () => ({
    args: ['export', 'k6', scenario('executor', "def.options.scenarios.main.executor = 'fastest';")],
  }),
  MB_ERR_SCENARIO_DURATION: () => ({
    args: ['export', 'k6', scenario('duration', "def.options.scenarios.main.duration = 'a while';")],
  }),
  MB_ERR_SCENARIO_NUMBER: () => ({
    args: ['export', 'k6', scenario('number', 'def.options.scenarios.main.rate = -5;')],
  }),
  MB_ERR_SCENARIO_THRESHOLD: () => ({
    args: [
      'export',
      'k6',
      scenario('threshold', "def.options.thresholds = { http_req_duration: ['p(99) soon'] };"),
    ],
  }),
  MB_ERR_SCENARIO_METRIC: () => ({
    args: ['export', 'k6', scenario('metric', "def.options.thresholds = { no_such_metric: ['count>0'] };")],
  }),
  MB_ERR_SCENARIO_REFERENCE: () => ({
    args: [
      'export',
      'k6',
      scenario('reference', "def.journeys.only.steps[0].path = '/listings/{{nope.id}}';"),
    ],
  }),
  MB_ERR_SCENARIO_FEEDER: () => ({
    args: [
      'run',
      scenario('feeder', "def.feeders = { users: { file: 'no-such.csv', mode: 'unique' } };"),
      '--target',
      'http://127.0.0.1:1',
    ],
  }),
  MB_ERR_SCENARIO_TARGET: () => ({ args: ['run', 'smoke', '--target', 'http://192.0.2.1:8080'] }),
  MB_ERR_SCENARIO_RUN: () => ({ args: ['run', 'smoke', '--target', 'http://127.0.0.1:1', '-d', '1s'] }),
  MB_ERR_SCENARIO_DERIVE_SPANS: () => ({
    args: ['scenario', 'derive', '--service', 'nobody', '--window', '1h'],
  }),
  MB_ERR_SCENARIO_OPENAPI: () => ({
    args: [
      'scenario',
      'init',
      '--from-openapi',
      file('openapi.json', '{"swagger":"2.0"}'),
      '--out',
      path.join(dir, 'o.ts'),
    ],
  }),
  MB_ERR_SLO_SPEC_PARSE: () => ({ args: ['slo', 'validate', '--specs', specs('parse', 'spec: [unclosed')] }),
  MB_ERR_SLO_SPEC_SCHEMA: () => ({
    args: [
      'slo',
      'validate',
      '--specs',
      specs('schema', GOOD_SPEC.replace('apiVersion: marketbench/v1', 'apiVersion: v0')),
    ],
  }),
  MB_ERR_SLO_UNKNOWN_NAME: () => ({
    args: [
      'slo',
      'validate',
      '--specs',
      specs('name', GOOD_SPEC.replace('routeGroup: search\n', 'routeGroup: serch\n')),
    ],
  }),
  MB_ERR_SLO_BAD_THRESHOLD: () => ({
    args: [
      'slo',
      'validate',
      '--specs',
      specs('threshold', GOOD_SPEC.replace('threshold: 1s', 'threshold: 900ms')),
    ],
  }),
  MB_ERR_SLO_OBJECTIVE_MISMATCH: () => ({
    args: [
      'slo',
      'validate',
      '--specs',
      specs('objective', GOOD_SPEC.replace('threshold: 1s', 'threshold: 2500ms')),
    ],
  }),
  MB_ERR_SLO_DUPLICATE: () => ({
    args: [
      'slo',
      'validate',
      '--specs',
      specs('duplicate', GOOD_SPEC.replace('name: search-availability', 'name: browse-availability')),
    ],
  }),
  MB_ERR_SLO_BAD_WINDOW: () => ({
    args: [
      'slo',
      'validate',
      '--specs',
      specs(
        'window',
        GOOD_SPEC.replace(
          '      budgetingMethod: Occurrences\n',
          '      budgetingMethod: Occurrences\n      alerting:\n        windows:\n          - { severity: page, long: 40d, short: 5m, burnRate: 14.4 }\n',
        ),
      ),
    ],
  }),
  MB_ERR_SLO_NO_SPECS: () => ({
    args: ['slo', 'validate', '--specs', path.dirname(file('empty/README', ''))],
  }),
  MB_ERR_SLO_IMPORT: () => ({
    args: [
      'slo',
      'import',
      'sloth',
      file(
        'sloth.yaml',
        'version: prometheus/v1\nservice: x\nslos:\n  - name: a\n    objective: 99\n    sli:\n      raw:\n        error_ratio_query: sum(rate(x[5m]))\n',
      ),
    ],
  }),
  MB_ERR_SLO_UNKNOWN_SLO: () => ({ args: ['slo', 'status', '--slo', 'no-such-slo'] }),
  MB_ERR_SLO_GENERATED_STALE: () => ({
    args: ['slo', 'build', '--check', '--out', path.join(dir, 'no-generated-files')],
  }),
};

for (const [code, make] of Object.entries(CASES)) {
  if (code === 'MB_ERR_NODE_TOO_OLD') continue;
  test(`${code}: the CLI prints one line ending in [${code}] and exits ${exitOf(code)}`, {
    timeout: 120_000,
  }, async () => {
    const c = await make();
    const r = c.env?.CLICKHOUSE_URL ? spawnCli(c.args, c.env) : await run(c.args, tempHome(), c.env);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('marketbench: '));
    assert.equal(lines.length, 1, `one marketbench: line in\n${r.stderr}`);
    assert.ok(r.stderr.includes(`[${code}]`), `${code} in\n${r.stderr}`);
    if (
      !code.startsWith('MB_ERR_SLO_') ||
      code === 'MB_ERR_SLO_UNKNOWN_SLO' ||
      code === 'MB_ERR_SLO_GENERATED_STALE'
    )
      assert.match(lines[0], new RegExp(`^marketbench: \\S.* \\[${code}\\]$`), r.stderr);
    if (c.says) assert.match(lines[0], new RegExp(`^marketbench: ${c.says.source}`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack without --verbose');
    assert.equal(r.code, exitOf(code), r.stderr);
  });
}

test('MB_ERR_NODE_TOO_OLD: the entry point under a Node.js without type stripping', (t) => {
  const old = spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' });
  const major = Number(/^v(\d+)/.exec(old.stdout ?? '')?.[1]);
  if (!(major > 0 && major < 22)) {
    t.skip('no Node.js older than 22 at /usr/bin/node');
    return;
  }
  const bin = path.resolve(import.meta.dirname, '../../bin/marketbench.js');
  const r = spawnSync('/usr/bin/node', [bin, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, exitOf('MB_ERR_NODE_TOO_OLD'));
  assert.match(
    r.stderr,
    /^marketbench: Node\.js v\d+\.\S+ cannot run TypeScript sources.*\[MB_ERR_NODE_TOO_OLD\]\n$/,
  );
});

test("commander's own errors are MB_ERR_USAGE lines with exit 1", async () => {
  for (const args of [['--bogus'], ['run', 'smoke', '--bogus'], ['no-such-command'], ['query']]) {
    const r = await run(args, tempHome());
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^marketbench: .+ \[MB_ERR_USAGE\]\n$/, `${args.join(' ')}: ${r.stderr}`);
  }
});

test('MB_ERR_INTERNAL: an error no catalog names maps to a coded line, never an uncoded exit 2', () => {
  for (const err of [new RangeError('index out of range'), new Error('plain'), 'a string']) {
    const e = asMarketbenchError(err);
    assert.equal(e?.code, 'MB_ERR_INTERNAL');
    assert.equal(e?.exitCode, 2);
  }
});

test('every code of every catalog is produced by a CLI case above or listed with the test that produces it', () => {
  const missing = CATALOGS.flatMap((c) => c.codes).filter((code) => !(code in CASES) && !(code in API_ONLY));
  assert.deepEqual(missing, []);
  const both = Object.keys(API_ONLY).filter((code) => code in CASES);
  assert.deepEqual(both, []);
});

// `marketbench dashboards build` as a user runs it: a spawned process, its files and exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/marketbench.js', import.meta.url));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

test('dashboards build --check: the committed files are up to date (exit 0)', () => {
  const r = cli('dashboards', 'build', '--check');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /generated files up to date/);
});

test('dashboards build writes parseable dashboards and provisioning; --check on an empty dir exits 1 with its code', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-dash-cli-'));
  try {
    const out = path.join(dir, 'json');
    const prov = path.join(dir, 'prov');
    const stale = cli('dashboards', 'build', '--check', '--out', out, '--provisioning', prov);
    assert.equal(stale.status, 1);
    assert.match(stale.stderr, /MB_ERR_DASHBOARDS_STALE/);
    assert.equal(fs.existsSync(out), false, '--check writes nothing');

    const r = cli('dashboards', 'build', '--out', out, '--provisioning', prov);
    assert.equal(r.status, 0, r.stderr);
    const files = fs.readdirSync(out).sort();
    assert.ok(files.includes('service-overview.json') && files.includes('slos.json'), files.join(', '));
    for (const f of files) {
      const d = JSON.parse(fs.readFileSync(path.join(out, f), 'utf8'));
      assert.match(d.description, /DO NOT EDIT/);
      assert.ok(d.uid.startsWith('mb-'));
    }
    const ds = fs.readFileSync(path.join(prov, 'datasources', 'clickhouse.yaml'), 'utf8');
    assert.match(ds, /type: grafana-clickhouse-datasource/);
    assert.match(ds, /otelEnabled: true/);
    assert.equal(cli('dashboards', 'build', '--check', '--out', out, '--provisioning', prov).status, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('dashboards build --help documents the flags', () => {
  const r = cli('dashboards', 'build', '--help');
  assert.equal(r.status, 0);
  for (const flag of ['--out', '--provisioning', '--check']) assert.ok(r.stdout.includes(flag), flag);
});

// Walks every generated dashboard the way Grafana would load it: every query goes through the
// ClickHouse datasource variable, every variable a query or link uses is defined, ids and
// uids are unique, and the committed JSON is exactly what the sources build.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DO_NOT_EDIT, UIDS, VARS } from '../../src/common.ts';
import { buildDashboards, generatedFiles } from '../../src/index.ts';
import { allPanels, dashboardQueries } from '../../src/panelQueries.ts';
import { CLICKHOUSE_PLUGIN_ID } from '../../src/query/clickhouseQuery.ts';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Grafana's built-in variables (and the plugin's/SDK's `$__` macros) never need a definition.
const isBuiltin = (name: string) => name.startsWith('__');
const VAR_REF = /\$(\w+)|\[\[(\w+?)(?::\w+)?\]\]|\$\{(\w+)(?:\.[^:^}]+)?(?::[^}]+)?\}/g;

function referencedVariables(text: string): string[] {
  return [...text.matchAll(VAR_REF)].map((m) => m[1] ?? m[2] ?? m[3]).filter((n) => !isBuiltin(n));
}

test('every panel query and every variable query uses the ClickHouse datasource variable', () => {
  for (const { dashboard } of buildDashboards()) {
    const dsVar = dashboard.templating?.list?.find((v) => v.name === VARS.datasource);
    assert.equal(dsVar?.type, 'datasource', `${dashboard.uid}: datasource variable`);
    assert.equal(dsVar?.query, CLICKHOUSE_PLUGIN_ID);
    for (const panel of allPanels(dashboard)) {
      const p = panel as {
        datasource?: { type?: string; uid?: string };
        targets?: { datasource?: { uid?: string } }[];
      };
      assert.deepEqual(
        p.datasource,
        { type: CLICKHOUSE_PLUGIN_ID, uid: `\${${VARS.datasource}}` },
        `${panel.title}`,
      );
      assert.ok((p.targets ?? []).length > 0, `${panel.title} has a query`);
      for (const t of p.targets ?? [])
        assert.equal(t.datasource?.uid, `\${${VARS.datasource}}`, `${panel.title}`);
    }
    for (const v of dashboard.templating?.list ?? []) {
      if (v.type === 'query')
        assert.equal((v.datasource as { uid?: string })?.uid, `\${${VARS.datasource}}`, v.name);
    }
  }
});

test('no dangling variable references in SQL, titles or links', () => {
  for (const { dashboard } of buildDashboards()) {
    const defined = new Set((dashboard.templating?.list ?? []).map((v) => v.name));
    const text = JSON.stringify(dashboard.panels) + JSON.stringify(dashboard.templating);
    for (const name of referencedVariables(text)) {
      assert.ok(defined.has(name), `${dashboard.uid} references $${name}, which it does not define`);
    }
    // every query reference also resolves in a dashboard-link target: /d/<uid> must exist
    for (const m of text.matchAll(/\/d\/([\w-]+)\?([^"]*)/g)) {
      assert.ok((Object.values(UIDS) as string[]).includes(m[1]), `link to unknown dashboard ${m[1]}`);
      const target = buildDashboards().find((d) => d.dashboard.uid === m[1])?.dashboard;
      const targetVars = new Set((target?.templating?.list ?? []).map((v) => v.name));
      for (const q of m[2].matchAll(/var-(\w+)=/g))
        assert.ok(targetVars.has(q[1]), `link sets unknown var-${q[1]} on ${m[1]}`);
    }
  }
});

test('panel ids and dashboard uids are unique; every panel has a grid position; the marker is present', () => {
  const built = buildDashboards();
  const uids = built.map((d) => d.dashboard.uid);
  assert.equal(new Set(uids).size, uids.length);
  assert.deepEqual(new Set(uids), new Set(Object.values(UIDS)));
  for (const { dashboard } of built) {
    assert.ok(
      dashboard.description?.includes(DO_NOT_EDIT),
      `${dashboard.uid} description carries the marker`,
    );
    const ids = (dashboard.panels ?? []).map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${dashboard.uid} panel ids`);
    for (const p of allPanels(dashboard)) {
      const g = (p as { gridPos?: { w: number; h: number; x: number; y: number } }).gridPos;
      assert.ok(g && g.w > 0 && g.h > 0 && g.x + g.w <= 24, `${p.title} grid position`);
    }
    const boxes = (dashboard.panels ?? []).map((p) => ({
      t: p.title,
      ...(p.gridPos as { x: number; y: number; w: number; h: number }),
    }));
    for (const a of boxes) {
      for (const b of boxes) {
        if (a === b) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `${dashboard.uid}: '${a.t}' overlaps '${b.t}'`);
      }
    }
    assert.ok(dashboardQueries(dashboard).length >= 5, `${dashboard.uid} has queries`);
  }
});

test('the committed generated files are exactly what the sources build (CI regenerates and diffs)', () => {
  for (const { file, content } of generatedFiles()) {
    const committed = path.join(PKG, file);
    assert.ok(fs.existsSync(committed), `${file} is committed`);
    assert.equal(fs.readFileSync(committed, 'utf8'), content, `${file} is stale: run npm run gen`);
  }
});

test('the generated JSON is the typed SDK model serialised: it round-trips and keeps Grafana’s required fields', () => {
  for (const { file, dashboard } of buildDashboards()) {
    const json = JSON.parse(fs.readFileSync(path.join(PKG, 'generated', file), 'utf8'));
    assert.deepEqual(json, JSON.parse(JSON.stringify(dashboard)));
    assert.equal(typeof json.schemaVersion, 'number');
    assert.equal(typeof json.title, 'string');
    for (const p of allPanels(json)) {
      assert.equal(typeof p.type, 'string');
      for (const t of p.targets ?? []) {
        const q = t as Record<string, unknown>;
        assert.equal(q.editorType, 'sql');
        assert.ok([0, 1, 2, 3].includes(q.format as number));
        assert.equal(typeof q.refId, 'string');
      }
    }
  }
});

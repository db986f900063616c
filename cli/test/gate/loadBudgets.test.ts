// Strict budgets: the JSON Schema refuses unknown keys naming the key and the file, an empty
// budget set is an error, and a plain k6 options file (JSON or YAML) is accepted as budgets.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadBudgets } from '../../src/gate/loadBudgets.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-budgets-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

function refused(f: string, pattern: RegExp): void {
  assert.throws(
    () => loadBudgets(f),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'MB_ERR_BUDGET_INVALID');
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('a typo in a key is refused, naming the key and the file (it used to pass with an empty table)', () => {
  const f = file(
    'typo.yaml',
    'apiVersion: marketbench/v1\nkind: Budgets\nspec:\n  threshold:\n    http_req_failed: ["rate<0.01"]\n',
  );
  refused(f, /typo\.yaml: \/spec: unknown key "threshold"/);
  const g = file(
    'slo.yaml',
    'apiVersion: marketbench/v1\nkind: Budgets\nspec:\n  slos:\n    - { slo: checkout-success, maxBurn: 14 }\n',
  );
  refused(g, /slo\.yaml: .*\/spec\/slos\/0: unknown key "maxBurn"/);
  const h = file(
    'base.yaml',
    'apiVersion: marketbench/v1\nkind: Budgets\nspec:\n  baseline: { tolerence: 0.1 }\n',
  );
  refused(h, /\/spec\/baseline: unknown key "tolerence"/);
  const k = file('meta.yaml', 'apiVersion: marketbench/v1\nkind: Budget\nspec: {}\n');
  refused(k, /\/kind: must be "Budgets"/);
});

test('an empty budget set is an error, not a PASS', () => {
  refused(
    file('empty.yaml', 'apiVersion: marketbench/v1\nkind: Budgets\nspec: {}\n'),
    /empty\.yaml: spec: no budgets/,
  );
  refused(
    file('empty2.yaml', 'apiVersion: marketbench/v1\nkind: Budgets\nspec:\n  thresholds: {}\n  slos: []\n'),
    /no budgets/,
  );
  refused(file('emptyk6.json', '{ "thresholds": {} }'), /emptyk6\.json: thresholds: no budgets/);
  refused(
    file(
      'emptylist.yaml',
      'apiVersion: marketbench/v1\nkind: Budgets\nspec:\n  thresholds:\n    http_reqs: []\n',
    ),
    /http_reqs: must NOT have fewer than 1 items/,
  );
});

test('bad expressions and filters name the field', () => {
  refused(
    file(
      'expr.yaml',
      'apiVersion: marketbench/v1\nkind: Budgets\nspec:\n  thresholds:\n    http_req_failed: ["p(99)<3"]\n',
    ),
    /spec\.thresholds\["http_req_failed"\]: "p\(99\)<3": aggregation does not apply/,
  );
  refused(
    file(
      'url.yaml',
      'apiVersion: marketbench/v1\nkind: Budgets\nspec:\n  thresholds:\n    "http_reqs{url:/x}": ["count>1"]\n',
    ),
    /no url tag/,
  );
  refused(
    file('item.yaml', '{ "thresholds": { "http_reqs": [{ "threshhold": "count>1" }] } }'),
    /unknown key "threshhold"/,
  );
});

test('a plain k6 options file, JSON or YAML, is accepted; other k6 options are noted, non-options refused', () => {
  const json = loadBudgets(
    file(
      'k6.json',
      JSON.stringify({
        vus: 10,
        duration: '30s',
        thresholds: {
          http_req_duration: ['p(95)<200'],
          http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true }],
          checks: ['rate>0.99'],
        },
      }),
    ),
  );
  assert.equal(json.format, 'k6');
  assert.deepEqual(Object.keys(json.spec.spec.thresholds ?? {}), [
    'http_req_duration',
    'http_req_failed',
    'checks',
  ]);
  assert.ok(
    json.notes.some((n) => /do not apply to a stored run: vus, duration/.test(n)),
    json.notes.join('\n'),
  );
  assert.ok(json.notes.some((n) => /abortOnFail has no effect/.test(n)));
  const yaml = loadBudgets(
    file('k6.yaml', 'thresholds:\n  "http_req_duration{name:checkout}": ["p(99)<1000"]\n'),
  );
  assert.deepEqual(yaml.spec.spec.thresholds, { 'http_req_duration{name:checkout}': ['p(99)<1000'] });
  refused(
    file('notk6.json', '{ "thresholds": { "http_reqs": ["count>1"] }, "thresholdz": {} }'),
    /notk6\.json: \(root\): unknown key "thresholdz" \(not a k6 option\)/,
  );
});

// Golden tests of `slo import`: each Sloth and OpenSLO fixture under testdata/import converts to
// exactly its committed spec (which compiles), or to its committed error lines naming the field.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { buildImportGolden } from '../../src/build/buildGolden.ts';
import { PACKAGE_DIR } from '../../src/build/gen.ts';
import { staleOutputs } from '../../src/build/writeOutputs.ts';
import { importSpec } from '../../src/import/importSpec.ts';
import { compileSpec } from '../../src/pipeline/compileSpec.ts';
import { prometheusRulesYaml } from '../../src/prometheus/prometheusRules.ts';

const dir = path.join(PACKAGE_DIR, 'testdata/import');

test('every import fixture matches its committed golden output', () => {
  const golden = buildImportGolden(dir);
  assert.ok(golden.size >= 5);
  assert.deepEqual(staleOutputs(dir, golden), [], 'run `npm run gen` and review the diff');
  for (const f of fs.readdirSync(dir).filter((x) => x.startsWith('in-'))) {
    const name = f.slice(3, -5);
    assert.equal(golden.has(`out-${name}.errors.txt`), name.includes('-bad-'), f);
  }
});

test("Sloth: OTel HTTP events become httpAvailability, a counter's become counterRatio, alerting carries over", () => {
  const text = importSpec(
    'sloth',
    fs.readFileSync(path.join(dir, 'in-sloth-otel-http.yaml'), 'utf8'),
    'x.yaml',
  );
  const [availability, jobs] = compileSpec(text, 'imported.yaml');
  assert.equal(availability.sli.kind, 'httpAvailability');
  assert.deepEqual(availability.sli.kind === 'httpAvailability' && availability.sli.routes, [
    '/orders',
    '/orders/:id',
  ]);
  assert.equal(availability.target, 0.999);
  assert.equal(availability.alertName, 'MyServiceHighErrorRate');
  assert.equal(availability.alertFor.page, '2m');
  assert.deepEqual(
    availability.windows.map((w) => w.severity),
    ['page', 'page'],
    'ticket alert disabled',
  );
  assert.deepEqual(jobs.sli.kind === 'counterRatio' && jobs.sli.badWhen, { outcome: ['failed', 'timeout'] });
  // The same selectors as the Sloth file: job, the routes and 5xx.
  const rules = prometheusRulesYaml([availability], '#');
  assert.match(
    rules,
    /http_server_request_duration_seconds_count\{job="myservice",http_route=~"\/orders\|\/orders\/:id",http_response_status_code=~"5\.\."\}\[5m\]/,
  );
});

test('OpenSLO: an indicatorRef with good events becomes bad events; targetPercent becomes a ratio', () => {
  const text = importSpec(
    'openslo',
    fs.readFileSync(path.join(dir, 'in-openslo-ratio.yaml'), 'utf8'),
    'x.yaml',
  );
  const [widgets, jobs] = compileSpec(text, 'imported.yaml');
  assert.equal(widgets.service, 'my-api');
  assert.equal(widgets.period, '28d');
  assert.equal(jobs.target, 0.99);
});

test('errors name the field of the imported file', () => {
  const bad = (format: 'sloth' | 'openslo', text: string) => {
    try {
      importSpec(format, text, 'f.yaml');
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  assert.match(
    bad('sloth', 'version: prometheus/v2\nservice: x\nslos: []\n'),
    /f\.yaml: version: must be "prometheus\/v1"/,
  );
  assert.match(
    bad(
      'sloth',
      'version: prometheus/v1\nservice: x\nslos:\n  - name: a\n    objective: 99\n    sli: { events: { error_query: "rate(x[5m]) > 0", total_query: "sum(rate(x[{{.window}}]))" } }\n',
    ),
    /slos\[0\]\.sli\.events\.error_query: must be sum\(rate/,
  );
  assert.match(
    bad('openslo', 'apiVersion: openslo/v1\nkind: Service\nmetadata: { name: x }\n'),
    /holds no OpenSLO v1 SLO document/,
  );
  assert.match(bad('sloth', 'version: [unclosed\n'), /MB_ERR_SLO_SPEC_PARSE|f\.yaml/);
});

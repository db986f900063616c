// Every generated file of slo-definitions, as path → text, so `marketbench slo build`, the
// `npm run gen` script and the "generated files are up to date" test share one code path.

import { grafanaAlertRulesYaml } from '../grafana/grafanaAlertRules.ts';
import { alertAnnotations, prometheusRulesYaml } from '../prometheus/prometheusRules.ts';
import { promtoolTestsYaml } from '../prometheus/promtoolTests.ts';
import type { Slo } from '../types.ts';
import { doNotEdit } from './header.ts';

/** Relative path (under the output directory) of an SLO's Prometheus rule file. */
export function rulesFile(slo: Slo): string {
  return `prometheus/${slo.id}.rules.yaml`;
}

/** Generated outputs (relative to `generated/`) for compiled SLOs. */
export function buildOutputs(slos: readonly Slo[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const slo of slos) out.set(rulesFile(slo), prometheusRulesYaml([slo], doNotEdit(slo.file)));
  const sources = [...new Set(slos.map((s) => s.file))].join(', ');
  out.set('grafana/slo-alert-rules.yaml', grafanaAlertRulesYaml(slos, doNotEdit(sources)));
  return out;
}

/** promtool unit-test files (relative to `test/promtool/`), one per SLO. */
export function buildPromtoolTests(slos: readonly Slo[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const slo of slos) {
    const rules = `../../generated/${rulesFile(slo)}`;
    out.set(`${slo.id}.test.yaml`, promtoolTestsYaml([slo], rules, doNotEdit(slo.file), alertAnnotations));
  }
  return out;
}

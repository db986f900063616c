// Golden outputs of the testdata fixtures: every `in-<name>.yaml` compiles to the files beside
// it (`out-<name>.*`), or, for a bad fixture, to `out-<name>.errors.txt` with each error line.

import fs from 'node:fs';
import path from 'node:path';
import { SloValidationError } from '../errors.ts';
import { grafanaAlertRulesYaml } from '../grafana/grafanaAlertRules.ts';
import { compileSpec } from '../pipeline/compileSpec.ts';
import { prometheusRulesYaml } from '../prometheus/prometheusRules.ts';
import { doNotEdit } from './header.ts';

/** Outputs (relative to `dir`) for every `in-*.yaml` fixture in `dir`. */
export function buildGolden(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const inputs = fs
    .readdirSync(dir)
    .filter((f) => /^in-.*\.yaml$/.test(f))
    .sort();
  for (const input of inputs) {
    const name = input.replace(/^in-/, '').replace(/\.yaml$/, '');
    const text = fs.readFileSync(path.join(dir, input), 'utf8');
    try {
      const slos = compileSpec(text, input);
      out.set(`out-${name}.prometheus.yaml`, prometheusRulesYaml(slos, doNotEdit(input)));
      out.set(`out-${name}.grafana.yaml`, grafanaAlertRulesYaml(slos, doNotEdit(input)));
    } catch (err) {
      if (!(err instanceof SloValidationError)) throw err;
      const lines = err.errors.map((e) => `${e.code} ${e.message}`);
      out.set(`out-${name}.errors.txt`, `${doNotEdit(input)}\n${lines.join('\n')}\n`);
    }
  }
  return out;
}

// Golden outputs of the testdata fixtures: every `in-<name>.yaml` compiles to the files beside
// it (`out-<name>.*`), or, for a bad fixture, to `out-<name>.errors.txt` with each error line.

import fs from 'node:fs';
import path from 'node:path';
import { SloError, SloValidationError } from '../errors.ts';
import { grafanaAlertRulesYaml } from '../grafana/grafanaAlertRules.ts';
import { importSpec } from '../import/importSpec.ts';
import { compileSpec } from '../pipeline/compileSpec.ts';
import { prometheusRulesYaml } from '../prometheus/prometheusRules.ts';
import { doNotEdit } from './header.ts';

/**
 * Outputs (relative to `dir`) of the import fixtures: `<format>-<name>.yaml` converts to
 * `out-<format>-<name>.spec.yaml`, or to `out-<format>-<name>.errors.txt` for a bad one.
 */
export function buildImportGolden(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const input of fs
    .readdirSync(dir)
    .filter((f) => /^in-(sloth|openslo)-.*\.yaml$/.test(f))
    .sort()) {
    const name = input.replace(/^in-/, '').replace(/\.yaml$/, '');
    const format = name.startsWith('sloth-') ? 'sloth' : 'openslo';
    try {
      const spec = importSpec(format, fs.readFileSync(path.join(dir, input), 'utf8'), input);
      out.set(`out-${name}.spec.yaml`, `${doNotEdit(input)}\n${spec}`);
    } catch (err) {
      const errors =
        err instanceof SloValidationError ? err.errors : err instanceof SloError ? [err] : undefined;
      if (!errors) throw err;
      const lines = errors.map((e) => `${e.code} ${e.message}`);
      out.set(`out-${name}.errors.txt`, `${doNotEdit(input)}\n${lines.join('\n')}\n`);
    }
  }
  return out;
}

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

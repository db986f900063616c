// Reads every spec of a directory (`*.yaml`, sorted, so generated output is stable) and
// compiles them, collecting the errors of all files before throwing.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SloError, SloValidationError } from '../errors.ts';
import { compileSpec } from '../pipeline/compileSpec.ts';
import type { Slo } from '../types.ts';
import { parseSpec } from './parseSpec.ts';
import { validateObjectives } from './validateObjectives.ts';

/** The specs shipped with marketbench: the reference service's and the ingest's SLOs. */
export const DEFAULT_SPECS_DIR = fileURLToPath(new URL('../../specs/', import.meta.url));

/** Compiles every `*.yaml`/`*.yml` file in `dir`; file names in errors are relative to `relativeTo`. */
export function loadSpecs(dir: string = DEFAULT_SPECS_DIR, relativeTo: string = process.cwd()): Slo[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new SloValidationError([new SloError('MB_ERR_SLO_NO_SPECS', `spec directory not found: ${dir}`)]);
  }
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  if (files.length === 0) {
    throw new SloValidationError([new SloError('MB_ERR_SLO_NO_SPECS', `no *.yaml spec in ${dir}`)]);
  }
  return loadSpecFiles(
    files.map((f) => path.join(dir, f)),
    relativeTo,
  );
}

/** Compiles the given spec files; SLO ids must be unique across them. */
export function loadSpecFiles(files: readonly string[], relativeTo: string = process.cwd()): Slo[] {
  const errors: SloError[] = [];
  const slos: Slo[] = [];
  for (const file of files) {
    const shown = path.relative(relativeTo, file) || file;
    try {
      const text = fs.readFileSync(file, 'utf8');
      slos.push(...compileSpec(text, shown));
      // The files marketbench loads must also agree with the objectives the scenarios read (the
      // pipeline's unit tests compile SLOs of those names with other targets on purpose).
      errors.push(...validateObjectives(parseSpec(text, shown), shown));
    } catch (err) {
      if (err instanceof SloValidationError) errors.push(...err.errors);
      else throw err;
    }
  }
  const ids = new Map<string, string>();
  for (const slo of slos) {
    const other = ids.get(slo.id);
    if (other)
      errors.push(
        new SloError('MB_ERR_SLO_DUPLICATE', `SLO id ${slo.id} also defined in ${other}`, { file: slo.file }),
      );
    ids.set(slo.id, slo.file);
  }
  if (errors.length > 0) throw new SloValidationError(errors);
  return slos;
}

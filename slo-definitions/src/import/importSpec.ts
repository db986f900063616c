// One entry for `marketbench slo import sloth|openslo FILE`: convert, then compile the result
// through the same pipeline as any spec, so what is printed is a spec `slo build` accepts.

import { stringify } from 'yaml';
import { SloError } from '../errors.ts';
import { compileSpecFile } from '../pipeline/compileSpec.ts';
import { importOpenSlo } from './importOpenSlo.ts';
import { importSloth } from './importSloth.ts';
import { ImportProblem } from './toIndicator.ts';

/** Formats `slo import` reads. */
export const IMPORT_FORMATS = { sloth: 'Sloth prometheus/v1', openslo: 'OpenSLO v1' } as const;
export type ImportFormat = keyof typeof IMPORT_FORMATS;

/**
 * The marketbench/v1 spec (YAML text, with a comment naming its source) for `text` of `format`;
 * throws SloError MB_ERR_SLO_IMPORT naming the field, or SloValidationError with the pipeline's errors.
 */
export function importSpec(format: ImportFormat, text: string, file: string): string {
  let spec: ReturnType<typeof importSloth>;
  try {
    spec = format === 'sloth' ? importSloth(text) : importOpenSlo(text);
  } catch (err) {
    if (err instanceof ImportProblem)
      throw new SloError('MB_ERR_SLO_IMPORT', err.message, { file, cause: err });
    if (err instanceof Error && err.name === 'YAMLParseError')
      throw new SloError('MB_ERR_SLO_SPEC_PARSE', err.message.split('\n')[0], { file, cause: err });
    throw err;
  }
  compileSpecFile(spec, `${file} (imported)`);
  return `# Imported from ${IMPORT_FORMATS[format]} ${file} by marketbench slo import ${format}. Spec format: docs/SLO.md.\n${stringify(spec, { lineWidth: 0 })}`;
}

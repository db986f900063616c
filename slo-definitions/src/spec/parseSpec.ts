// Stage 1a of the pipeline: YAML text → a spec object that matches the JSON Schema, or every
// schema error located by file and field path.

import { Ajv } from 'ajv';
import { parseDocument } from 'yaml';
import { SloError, SloValidationError } from '../errors.ts';
import type { SloSpecFile } from '../types.ts';
import { SPEC_SCHEMA } from './specSchema.ts';

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validateSchema = ajv.compile(SPEC_SCHEMA);

/** Parses and schema-checks one spec file's text; throws SloValidationError listing every problem. */
export function parseSpec(text: string, file: string): SloSpecFile {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new SloValidationError(
      doc.errors.map((e) => new SloError('MB_ERR_SLO_SPEC_PARSE', e.message.split('\n')[0], { file })),
    );
  }
  const value: unknown = doc.toJS();
  if (!validateSchema(value)) {
    const errors = (validateSchema.errors ?? []).map((e) => {
      const extra =
        e.keyword === 'additionalProperties'
          ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
          : e.keyword === 'enum' || e.keyword === 'const'
            ? ` ${JSON.stringify((e.params as { allowedValues?: unknown; allowedValue?: unknown }).allowedValues ?? (e.params as { allowedValue?: unknown }).allowedValue)}`
            : '';
      return new SloError('MB_ERR_SLO_SPEC_SCHEMA', `${e.message ?? 'invalid'}${extra}`, {
        file,
        path: e.instancePath || '/',
      });
    });
    throw new SloValidationError(dedupe(errors));
  }
  return value as SloSpecFile;
}

// ajv reports an anyOf failure once per branch and once for the anyOf; keep one line per message.
function dedupe(errors: SloError[]): SloError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (seen.has(e.message)) return false;
    seen.add(e.message);
    return true;
  });
}

// `defineCatalog` declares a package's error codes in one shape: `{ CODE: { exit, status?,
// description } }`. The catalog creates the errors, lists its codes for the documentation tests,
// and refuses at load a code not spelled `MB_ERR_*` or an exit code outside the table.

import type { CatalogError, ErrorCatalog, ErrorSpec, MarketbenchErrorOptions } from '../types.ts';
import { EXIT } from './exitCodes.ts';
import { MarketbenchError } from './MarketbenchError.ts';

const CODE = /^MB_ERR_[A-Z0-9]+(?:_[A-Z0-9]+)*$/;
const EXIT_CODES = new Set<number>(Object.values(EXIT));

/** Declares a catalog; throws at load on a malformed code, an unknown exit code or an empty description. */
export function defineCatalog<const C extends Record<string, ErrorSpec>>(
  specs: C,
): ErrorCatalog<Extract<keyof C, string>> {
  type K = Extract<keyof C, string>;
  const codes = Object.keys(specs) as K[];
  for (const code of codes) {
    const spec = specs[code];
    if (!CODE.test(code)) throw new TypeError(`error code "${code}" is not MB_ERR_ followed by A-Z, 0-9, _`);
    if (!EXIT_CODES.has(spec.exit))
      throw new TypeError(`${code}: exit ${spec.exit} is not in the EXIT table`);
    if (
      spec.status !== undefined &&
      (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599)
    )
      throw new TypeError(`${code}: status ${spec.status} is not an HTTP error status`);
    if (!spec.description.trim()) throw new TypeError(`${code}: empty description`);
  }
  const frozen = Object.freeze({ ...specs }) as Readonly<Record<K, ErrorSpec>>;
  return Object.freeze({
    specs: frozen,
    codes: Object.freeze(codes),
    spec: (code: K) => frozen[code],
    has: (code: string): code is K => Object.hasOwn(frozen, code),
    create: (code: K, message: string, options?: MarketbenchErrorOptions) =>
      new MarketbenchError(code, message, frozen[code], options) as CatalogError<K>,
  });
}

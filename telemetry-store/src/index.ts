export type { QueryParams, Row, Store, StoreBackend, StoreOptions } from './types.ts';

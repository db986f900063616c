export { ATTR, METRICS, ROUTES, SERVICES } from './names.ts';

// TEMPORARY (issue 14): the name table moved to @marketbench/contracts. This re-export keeps
// `@marketbench/instrumentation/names` importers compiling while they migrate; it goes once
// nothing imports it.

export {
  ATTR,
  BAGGAGE,
  FAULT_DEPENDENCIES,
  type FaultDependency,
  LABELS,
  LOAD_SAMPLES,
  METRICS,
  type MetricName,
  PSP_ROUTES,
  ROUTE_GROUPS,
  ROUTES,
  type RouteTemplate,
  SERVICES,
  type ServiceName,
  SPAN_EVENTS,
  STEPS,
  type StepName,
  serverSpanName,
  TABLES,
} from '@marketbench/contracts';

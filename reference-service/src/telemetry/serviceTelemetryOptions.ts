// The reference service's identity for startTelemetry: service.name, service.version and
// deployment.environment.name. Whoever starts the service's telemetry (the stack's child
// process, `marketbench serve`, a bench) spreads these first, so every run's spans, logs and
// metrics say which environment they came from and the dashboards' environment filter works.
import { ATTR, ENV, type Environment, processEnvironment, readEnv, SERVICES } from '@marketbench/contracts';
import { parseKeyValueList, type TelemetryOptions } from '@marketbench/instrumentation';

/** Environment name when neither MARKETBENCH_ENVIRONMENT nor OTEL_RESOURCE_ATTRIBUTES names one. */
export const DEFAULT_ENVIRONMENT = 'local';

/** The service version every resource carries. */
export const SERVICE_VERSION = '0.1.0';

/**
 * Identity options: `environment` from MARKETBENCH_ENVIRONMENT, else the one in
 * OTEL_RESOURCE_ATTRIBUTES (left to startTelemetry), else `local`.
 */
export function serviceTelemetryOptions(
  env: Environment = processEnvironment(),
): Pick<TelemetryOptions, 'serviceName' | 'serviceVersion' | 'environment'> {
  const named = readEnv(ENV.environment, env);
  const fromOtel = parseKeyValueList(env.OTEL_RESOURCE_ATTRIBUTES)[ATTR.deploymentEnvironment];
  return {
    serviceName: SERVICES.reference,
    serviceVersion: SERVICE_VERSION,
    environment: named !== undefined && named !== '' ? named : fromOtel ? undefined : DEFAULT_ENVIRONMENT,
  };
}

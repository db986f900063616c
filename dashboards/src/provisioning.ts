// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is Grafana provisioning env-var syntax
// Grafana provisioning for the stack: the ClickHouse data source with the plugin's OTel mode
// on for traces and logs (so trace ids open in the trace view and logs link to traces), and
// a file provider that loads the generated dashboards.

import { stringify } from 'yaml';
import { DASHBOARD_TAG, DATASOURCE_UID, DO_NOT_EDIT, T } from './common.ts';
import { CLICKHOUSE_PLUGIN_ID } from './query/clickhouseQuery.ts';

/** Where the stack mounts `dashboards/generated` inside the Grafana container. */
export const GRAFANA_DASHBOARDS_PATH = '/var/lib/grafana/dashboards/marketbench';

/** The collector exporter's database, as the docker-compose ClickHouse creates it. */
export const CLICKHOUSE_DATABASE = 'otel';

const header = (what: string): string => `# ${DO_NOT_EDIT}\n# ${what}\n`;

/** datasources/clickhouse.yaml: the ClickHouse data source (jsonData keys of the plugin's CHConfig). */
export function datasourceProvisioning(): string {
  const doc = {
    apiVersion: 1,
    datasources: [
      {
        name: 'ClickHouse (marketbench)',
        uid: DATASOURCE_UID,
        type: CLICKHOUSE_PLUGIN_ID,
        access: 'proxy',
        isDefault: true,
        editable: false,
        jsonData: {
          host: '${CLICKHOUSE_HOST}',
          port: 8123,
          protocol: 'http',
          secure: false,
          username: '${CLICKHOUSE_USER}',
          defaultDatabase: CLICKHOUSE_DATABASE,
          logs: {
            defaultDatabase: CLICKHOUSE_DATABASE,
            defaultTable: T.logs,
            otelEnabled: true,
            otelVersion: 'latest',
          },
          traces: {
            defaultDatabase: CLICKHOUSE_DATABASE,
            defaultTable: T.traces,
            otelEnabled: true,
            otelVersion: 'latest',
            durationUnit: 'nanoseconds',
          },
        },
        secureJsonData: { password: '${CLICKHOUSE_PASSWORD}' },
      },
    ],
  };
  return (
    header(
      'ClickHouse data source; CLICKHOUSE_HOST / CLICKHOUSE_USER / CLICKHOUSE_PASSWORD come from the Grafana container environment.',
    ) + stringify(doc)
  );
}

/** dashboards/marketbench.yaml: a file provider for the generated dashboards. */
export function dashboardProviderProvisioning(): string {
  const doc = {
    apiVersion: 1,
    providers: [
      {
        name: DASHBOARD_TAG,
        orgId: 1,
        folder: 'marketbench',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: GRAFANA_DASHBOARDS_PATH, foldersFromFilesStructure: false },
      },
    ],
  };
  return header(`Loads dashboards/generated/*.json, mounted at ${GRAFANA_DASHBOARDS_PATH}.`) + stringify(doc);
}

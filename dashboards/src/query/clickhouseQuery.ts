// The Grafana ClickHouse plugin's query model (grafana-clickhouse-datasource, src/types/sql.ts),
// typed here because the foundation SDK ships no ClickHouse dataquery. Only the SQL editor is
// used: every panel carries its raw SQL, so what the tests run is what Grafana runs.

import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';

/** Plugin id of the Grafana ClickHouse data source. */
export const CLICKHOUSE_PLUGIN_ID = 'grafana-clickhouse-datasource';

/** The plugin's result formats (sqlds FormatQueryOption). */
export const FORMAT = { timeSeries: 0, table: 1, logs: 2, traces: 3 } as const;
export type ClickHouseFormat = (typeof FORMAT)[keyof typeof FORMAT];

/** The plugin's query types (src/types/queryBuilder.ts QueryType). */
export type ClickHouseQueryType = 'table' | 'logs' | 'timeseries' | 'traces';

const QUERY_TYPE_OF_FORMAT: Record<ClickHouseFormat, ClickHouseQueryType> = {
  0: 'timeseries',
  1: 'table',
  2: 'logs',
  3: 'traces',
};

/** A SQL-editor query of the ClickHouse plugin (CHSqlQuery). */
export interface ClickHouseSqlQuery extends cog.Dataquery {
  /** Query letter within the panel. */
  refId: string;
  /** Data source of this query. */
  datasource?: DataSourceRef;
  /** Plugin version the query was written for (empty: any). */
  pluginVersion: string;
  /** Always the SQL editor. */
  editorType: 'sql';
  /** The SQL with Grafana macros and variables. */
  rawSql: string;
  /** How the plugin shapes the result (time series, table, logs, traces). */
  format: ClickHouseFormat;
  /** The query type the plugin shows the result as. */
  queryType: ClickHouseQueryType;
}

/** Builds a ClickHouse SQL query for a panel (a cog builder, so panels take it like any SDK query). */
export class ClickHouseQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly query: ClickHouseSqlQuery;
  constructor(rawSql: string, format: ClickHouseFormat = FORMAT.table) {
    this.query = {
      refId: 'A',
      pluginVersion: '',
      editorType: 'sql',
      rawSql,
      format,
      queryType: QUERY_TYPE_OF_FORMAT[format],
      _implementsDataqueryVariant: () => {},
    };
  }
  refId(refId: string): this {
    this.query.refId = refId;
    return this;
  }
  datasource(ref: DataSourceRef): this {
    this.query.datasource = ref;
    return this;
  }
  build(): ClickHouseSqlQuery {
    return { ...this.query };
  }
}

// Collects, renders and writes one run's report (the command, `npm start` and tests share it).

import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '@marketbench/telemetry-store';
import { collectReportData, type ReportExtras } from './collectReportData.ts';
import { renderReport } from './renderReport.ts';
import type { ReportData } from './types.ts';

/** Writes the report of `runId` to `file` and returns its data. */
export async function writeRunReport(
  store: Store,
  runId: string,
  file: string,
  extras: ReportExtras = {},
): Promise<ReportData> {
  const data = await collectReportData(store, runId, extras);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, renderReport(data));
  return data;
}

// Collects, renders and writes one run's report (the command, `npm start` and tests share it).

import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '@marketbench/telemetry-store';
import { sloTimeline } from '../gate/sloTimeline.ts';
import { collectReportData, type ReportExtras } from './collectReportData.ts';
import { renderReport } from './renderReport.ts';
import { sloRows } from './sloRows.ts';
import type { ReportData } from './types.ts';

/** SLO rows of a run, or a note saying why there are none (an SLO failure never loses the report). */
async function slosOf(store: Store, runId: string): Promise<Pick<ReportExtras, 'slos' | 'slosNote'>> {
  try {
    const timeline = await sloTimeline(store, runId);
    const scale = timeline[0]?.timeScale ?? 1;
    return {
      slos: sloRows(timeline),
      slosNote: `Evaluated at ${timeline.length} instants of the run with windows time-scaled ${scale}× like the scenario; burn is the highest seen per window, alerts are those that fired at any instant.`,
    };
  } catch (err) {
    return { slos: null, slosNote: `SLOs could not be evaluated: ${(err as Error).message}` };
  }
}

/** Writes the report of `runId` to `file` and returns its data (SLOs evaluated unless given). */
export async function writeRunReport(
  store: Store,
  runId: string,
  file: string,
  extras: ReportExtras = {},
): Promise<ReportData> {
  const slo = extras.slos === undefined ? await slosOf(store, runId) : {};
  const data = await collectReportData(store, runId, { ...extras, ...slo });
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, renderReport(data));
  return data;
}

// The baseline file `marketbench baseline save` writes and `marketbench gate --baseline` reads:
// per step an HDR histogram of every request's latency (exact percentiles, a few hundred bytes)
// and a bounded uniform sample (what the statistical tests need), plus the run's metadata.
// Samples are stored sorted as integer microseconds, delta-encoded, to keep the file small.

import fs from 'node:fs';
import zlib from 'node:zlib';
import { TABLES } from '@marketbench/contracts';
import type { Store } from '@marketbench/telemetry-store';
import hdr from 'hdr-histogram-js';
import { type CapacityFigure, readCapacityFigures, type StoredFigure } from '../capacity/capacityStore.ts';
import { CliError } from '../errors.ts';
import { readRun, sampleSteps } from './runData.ts';

/** Samples kept per step (the reservoir size). */
export const DEFAULT_SAMPLE_SIZE = 5000;

/** One step of a baseline. */
export interface BaselineStep {
  /** Requests of this step in the run. */
  count: number;
  /** Failed requests. */
  errors: number;
  /** Exact latency percentiles from the histogram, ms. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** HDR histogram of latency in microseconds, compressed base64 (HdrHistogram's V2 encoding). */
  hdr: string;
  /** Uniform sample of latencies: sorted microseconds, first value then deltas, comma-separated. */
  sampleUs: string;
}

/** The baseline file. */
export interface BaselineFile {
  apiVersion: 'marketbench/v1';
  kind: 'Baseline';
  /** When the file was written (ISO 8601). */
  createdAt: string;
  /** Which latency the samples hold. */
  latency: 'corrected';
  /** The run the baseline was taken from. */
  run: {
    runId: string;
    scenario: string;
    gitCommit: string;
    startedAt: string;
    endedAt: string;
    target: string;
    requestsTotal: number;
    errorsTotal: number;
    droppedIterations: number;
  };
  /** Steps by name. */
  steps: Record<string, BaselineStep>;
  /** The run's USL figures, when it was a capacity run (`marketbench capacity run`). */
  capacity?: Record<CapacityFigure, StoredFigure>;
}

/** Encodes latencies (ms) as sorted delta microseconds. */
export function encodeSample(valuesMs: readonly number[]): string {
  const us = valuesMs.map((v) => Math.max(0, Math.round(v * 1000))).sort((a, b) => a - b);
  const out: number[] = [];
  let prev = 0;
  for (const v of us) {
    out.push(v - prev);
    prev = v;
  }
  return out.join(',');
}

/** Decodes {@link encodeSample}'s output back to milliseconds (ascending). */
export function decodeSample(encoded: string): number[] {
  if (encoded === '') return [];
  let acc = 0;
  return encoded.split(',').map((d) => {
    acc += Number(d);
    return acc / 1000;
  });
}

/** Builds a baseline of `runId` from the store. */
export async function buildBaseline(
  store: Store,
  runId: string,
  sampleSize = DEFAULT_SAMPLE_SIZE,
): Promise<BaselineFile> {
  const run = await readRun(store, runId);
  const samples = await sampleSteps(store, runId, sampleSize);
  const capacity = await readCapacityFigures(store, runId);
  const steps: Record<string, BaselineStep> = {};
  const hists = new Map<string, ReturnType<typeof hdr.build>>();
  // The histogram covers every request, grouped to microseconds in the store so few rows travel.
  for await (const batch of store.stream<{ step: string; us: number; c: number }>(
    `SELECT step, toUInt64(greatest(round(latency_corrected_ms * 1000), 1)) AS us, count() AS c
       FROM ${TABLES.loadRequests} WHERE run_id = {run:String} GROUP BY step, us`,
    { run: runId },
  )) {
    for (const r of batch) {
      let h = hists.get(r.step);
      if (!h) {
        h = hdr.build({
          numberOfSignificantValueDigits: 3,
          lowestDiscernibleValue: 1,
          autoResize: true,
          bitBucketSize: 64,
        });
        hists.set(r.step, h);
      }
      h.recordValueWithCount(Number(r.us), Number(r.c));
    }
  }
  for (const [step, s] of samples) {
    const h = hists.get(step);
    steps[step] = {
      count: s.count,
      errors: s.errors,
      p50: h ? h.getValueAtPercentile(50) / 1000 : Number.NaN,
      p95: h ? h.getValueAtPercentile(95) / 1000 : Number.NaN,
      p99: h ? h.getValueAtPercentile(99) / 1000 : Number.NaN,
      max: h ? h.maxValue / 1000 : Number.NaN,
      hdr: h ? hdr.encodeIntoCompressedBase64(h) : '',
      sampleUs: encodeSample(s.values),
    };
    h?.destroy();
  }
  return {
    apiVersion: 'marketbench/v1',
    kind: 'Baseline',
    createdAt: new Date().toISOString(),
    latency: 'corrected',
    run: {
      runId: run.run_id,
      scenario: run.scenario,
      gitCommit: run.git_commit,
      startedAt: run.started_at,
      endedAt: run.ended_at,
      target: run.target,
      requestsTotal: run.requests_total,
      errorsTotal: run.errors_total,
      droppedIterations: run.dropped_iterations,
    },
    steps,
    ...(capacity ? { capacity } : {}),
  };
}

/** Writes a baseline as JSON, gzipped when the name ends in `.gz`. */
export function writeBaseline(file: string, baseline: BaselineFile): void {
  const json = `${JSON.stringify(baseline, null, 1)}\n`;
  fs.writeFileSync(file, file.endsWith('.gz') ? zlib.gzipSync(json) : json);
}

/** Reads and checks a baseline file. */
export function readBaseline(file: string): BaselineFile {
  let text: string;
  try {
    const buf = fs.readFileSync(file);
    text = (buf[0] === 0x1f && buf[1] === 0x8b ? zlib.gunzipSync(buf) : buf).toString('utf8');
  } catch (err) {
    throw new CliError('MB_ERR_BASELINE_INVALID', `cannot read baseline ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let parsed: BaselineFile;
  try {
    parsed = JSON.parse(text) as BaselineFile;
  } catch (err) {
    throw new CliError('MB_ERR_BASELINE_INVALID', `baseline ${file} is not JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (
    parsed?.apiVersion !== 'marketbench/v1' ||
    parsed.kind !== 'Baseline' ||
    typeof parsed.steps !== 'object'
  ) {
    throw new CliError('MB_ERR_BASELINE_INVALID', `${file} is not a marketbench/v1 Baseline file`);
  }
  return parsed;
}

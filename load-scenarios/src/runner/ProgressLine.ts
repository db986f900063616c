// The live progress: on a TTY one line rewritten every second (elapsed, target vs achieved rate,
// p99 of the last second, errors, dropped iterations, generator CPU, so a saturated generator is
// visible); elsewhere (CI logs, a pipe) one k6-style line every 10 s, so a long run is never silent.

import type { SecondSample } from './RunSampler.ts';

/** Seconds between two progress lines when the output is not a terminal. */
export const PROGRESS_LINE_EVERY_SEC = 10;

/** Running totals the progress shows beside the second's sample. */
export interface ProgressTotals {
  errors: number;
  dropped: number;
  iterations: number;
}

function clock(sec: number): string {
  const m = Math.floor(sec / 60);
  return `${m}m${(sec - m * 60).toFixed(1).padStart(4, '0')}s`;
}

export class ProgressLine {
  private readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly totalSec: number;
  private readonly tty: boolean;
  private wrote = false;
  private nextLineAt = PROGRESS_LINE_EVERY_SEC;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean }, totalSec: number) {
    this.out = out;
    this.totalSec = totalSec;
    this.tty = out.isTTY === true;
  }

  update(s: SecondSample, totals: ProgressTotals): void {
    const phase = s.elapsedSec > this.totalSec ? 'stopping' : 'running';
    if (!this.tty) {
      if (s.elapsedSec + 0.05 < this.nextLineAt) return;
      this.nextLineAt = (Math.floor(s.elapsedSec / PROGRESS_LINE_EVERY_SEC) + 1) * PROGRESS_LINE_EVERY_SEC;
      this.out.write(
        `${phase} (${clock(s.elapsedSec)}/${clock(this.totalSec)}), ${s.activeVus}/${s.allocatedVus} VUs, ` +
          `${totals.iterations} iterations started, ${s.achievedRate.toFixed(1)} it/s` +
          `${s.targetRate > 0 ? ` (target ${s.targetRate.toFixed(0)}/s)` : ''}, ${s.requestRate.toFixed(0)} req/s, ` +
          `p99 ${s.p99Ms.toFixed(1)}ms, ${totals.errors} failed, ${totals.dropped} dropped, generator cpu ${s.generatorCpu.toFixed(0)}%\n`,
      );
      return;
    }
    const target = s.targetRate > 0 ? `${s.targetRate.toFixed(0)}/s` : '-';
    const line =
      `${phase} ${s.elapsedSec.toFixed(0)}s/${this.totalSec.toFixed(0)}s  ` +
      `target ${target}  achieved ${s.achievedRate.toFixed(0)} it/s (${s.requestRate.toFixed(0)} req/s)  ` +
      `p99 ${s.p99Ms.toFixed(1)}ms (so far ${s.p99SoFarMs.toFixed(1)}ms)  errors ${totals.errors}  dropped ${totals.dropped}  vus ${s.activeVus}  ` +
      `generator cpu ${s.generatorCpu.toFixed(0)}%${s.generatorCpu > 90 ? ' (saturated?)' : ''}`;
    this.out.write(`\r\x1b[2K${line}`);
    this.wrote = true;
  }

  done(): void {
    if (this.wrote) this.out.write('\r\x1b[2K');
  }
}

// The live progress line on a TTY: elapsed, target vs achieved rate, p99 of the last second,
// errors, dropped iterations and the generator's CPU (so a saturated generator is visible).

import type { SecondSample } from './RunSampler.ts';

export class ProgressLine {
  private readonly out: NodeJS.WriteStream;
  private readonly totalSec: number;
  private wrote = false;

  constructor(out: NodeJS.WriteStream, totalSec: number) {
    this.out = out;
    this.totalSec = totalSec;
  }

  update(s: SecondSample, errors: number, dropped: number): void {
    const target = s.targetRate > 0 ? `${s.targetRate.toFixed(0)}/s` : '-';
    const phase = s.elapsedSec > this.totalSec ? 'stopping' : 'running';
    const line =
      `${phase} ${s.elapsedSec.toFixed(0)}s/${this.totalSec.toFixed(0)}s  ` +
      `target ${target}  achieved ${s.achievedRate.toFixed(0)} it/s (${s.requestRate.toFixed(0)} req/s)  ` +
      `p99 ${s.p99Ms.toFixed(1)}ms (so far ${s.p99SoFarMs.toFixed(1)}ms)  errors ${errors}  dropped ${dropped}  vus ${s.activeVus}  ` +
      `generator cpu ${s.generatorCpu.toFixed(0)}%${s.generatorCpu > 90 ? ' (saturated?)' : ''}`;
    this.out.write(`\r\x1b[2K${line}`);
    this.wrote = true;
  }

  done(): void {
    if (this.wrote) this.out.write('\r\x1b[2K');
  }
}

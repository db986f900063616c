// `marketbench slo drill --prometheus`: the generated rules, unchanged, in a real Prometheus that
// scrapes the running service every 5 s and evaluates every 5 s, with a real Alertmanager behind
// it. Healthy traffic first: every SLI recording rule must have data and no alert may fire. Then
// the PSP goes down completely for a short while: the checkout page must reach Alertmanager
// within the detection time the policy implies for a 100% fault (computed from the windows, the
// factor, `for:` and the history Prometheus has), and must resolve after the PSP recovers.
//
// Why the fault is short: a fresh Prometheus has seconds of history, so every window holds all of
// it and the burn stays over the threshold long after the fault ends (for a fault of F seconds,
// until F / (14.4 × budget) seconds after the traffic started). A fault as long as the detection
// time would then keep the page up for about ten minutes.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROUTES } from '@marketbench/contracts';
import { loadScenario, runScenario } from '@marketbench/load-scenarios';
import {
  type AlertmanagerServer,
  alertTimings,
  DRILL_SCENARIO,
  DRILL_SLO,
  eventsPromql,
  loadSpecs,
  PACKAGE_DIR,
  type PrometheusServer,
  pairResetSecondsAfter,
  parseDuration,
  rulesFile,
  type ScrapeTarget,
  type Slo,
  SloError,
  sliRecordName,
  startAlertmanager,
  startPrometheus,
} from '@marketbench/slo-definitions';

/** What the Prometheus drill needs. */
export interface PrometheusDrillOptions {
  /** Base URL of the reference service (loopback). */
  target: string;
  /** Bearer token of its admin API (fault injection). */
  adminToken: string;
  /** What Prometheus scrapes: the service's /metrics and the ingest's (freshness SLO). */
  scrapeTargets: readonly ScrapeTarget[];
  /** SLOs whose rules are loaded (default: the shipped specs). */
  slos?: readonly Slo[];
  /** Their rule files (default: the committed generated files, loaded as they are). */
  ruleFiles?: readonly string[];
  /** Seconds of healthy traffic before the fault (default 30). */
  healthySeconds?: number;
  /** Seconds the PSP is down (default 10: see the header on why it is short). */
  faultSeconds?: number;
  /** Journey iterations per second (default 10). */
  rate?: number;
  /** Scrape and evaluation interval (default `5s`). */
  interval?: string;
  /** Working directory for Prometheus and Alertmanager (default: a temporary one, removed). */
  dir?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What the drill saw, with the bounds it was judged against (seconds). */
export interface PrometheusDrillReport {
  /** Prometheus' and Alertmanager's URLs during the drill. */
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** Scrape and evaluation interval. */
  interval: string;
  /** SLI recording rules loaded, and those without data at the end of the healthy traffic. */
  sliRules: { loaded: number; withoutData: string[] };
  /**
   * Alerts that fired, or whose condition held (pending), during the healthy traffic
   * (`alertname/severity`); `latencyPending` are pending alerts of latency SLOs, which a loaded
   * machine can legitimately burn.
   */
  healthy: { seconds: number; firing: string[]; pending: string[]; latencyPending: string[] };
  /**
   * The fault: its length, the checkout error ratio Prometheus measured over it, and how long the
   * bad events went on from its start (to the last scrape that saw a new one).
   */
  fault: { seconds: number; errorRatio: number | null; burnSeconds: number | null };
  /** The checkout page: seconds from fault start until Alertmanager held it, and the bound. */
  page: { alertname: string; detectedAfter: number | null; bound: number };
  /** Seconds from recovery until Alertmanager notified "resolved", and the bound. */
  resolve: { resolvedAfter: number | null; bound: number };
  /** Wall time of the drill. */
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setPspOutage(target: string, token: string, seconds: number | undefined): Promise<void> {
  const auth = { authorization: `Bearer ${token}` };
  const res =
    seconds === undefined
      ? await fetch(target + ROUTES.adminFaults, { method: 'DELETE', headers: auth })
      : await fetch(target + ROUTES.adminFaults, {
          method: 'PUT',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ faults: { psp: { outage: true, expiresInSeconds: seconds } } }),
        });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`PSP fault ${seconds === undefined ? 'clear' : 'set'}: HTTP ${res.status}`);
}

/**
 * Events per second of healthy traffic: the total's growth after the bad events stopped (the
 * longest stretch, usually minutes), or before the fault when recovery left too little to measure.
 */
export function healthyRate(
  counts: readonly { at: number; bad: number; total: number }[],
  stop: { at: number; total: number },
  trafficStart: number,
): number {
  const last = counts.at(-1);
  if (last && last.at - stop.at >= 30_000) return ((last.total - stop.total) * 1000) / (last.at - stop.at);
  const before = counts.filter((c) => c.bad === 0);
  const end = before.at(-1);
  const start = before[0];
  if (end && start && end.at - start.at >= 10_000)
    return ((end.total - start.total) * 1000) / (end.at - start.at);
  return end ? (end.total * 1000) / Math.max(1, end.at - trafficStart) : 0;
}

/** Runs the drill (no assertion: see assertPrometheusDrill). */
export async function runPrometheusDrill(o: PrometheusDrillOptions): Promise<PrometheusDrillReport> {
  const began = Date.now();
  const log = o.log ?? (() => {});
  const slos = o.slos ?? loadSpecs();
  const slo = slos.find((s) => s.id === DRILL_SLO);
  if (!slo) throw new Error(`SLO ${DRILL_SLO} is not among the drill's SLOs`);
  const ruleFiles = o.ruleFiles ?? slos.map((s) => path.join(PACKAGE_DIR, 'generated', rulesFile(s)));
  const interval = o.interval ?? '5s';
  const intervalSeconds = parseDuration(interval);
  const healthySeconds = o.healthySeconds ?? 30;
  const faultSeconds = o.faultSeconds ?? 10;
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mb-slo-prom-'));
  let am: AlertmanagerServer | undefined;
  let prom: PrometheusServer | undefined;
  const traffic = new AbortController();
  let run: Promise<unknown> | undefined;
  try {
    try {
      am = await startAlertmanager({ dir: path.join(dir, 'alertmanager') });
      prom = await startPrometheus({
        dir: path.join(dir, 'prometheus'),
        ruleFiles,
        targets: o.scrapeTargets,
        alertmanagerUrl: am.url,
        scrapeInterval: interval,
        evaluationInterval: interval,
      });
    } catch (err) {
      throw new SloError('MB_ERR_SLO_PROMETHEUS', (err as Error).message, { cause: err });
    }
    log(
      `prometheus ${prom.url} (rules: ${ruleFiles.length} files, scrape and evaluation every ${interval}), alertmanager ${am.url}`,
    );

    // Healthy traffic until the drill ends: the psp-incident journeys at a steady rate.
    const { definition } = await loadScenario(DRILL_SCENARIO);
    const rate = o.rate ?? 10;
    run = runScenario(
      {
        ...definition,
        name: `${DRILL_SCENARIO}-prometheus`,
        faults: [],
        options: {
          scenarios: {
            traffic: {
              executor: 'constant-arrival-rate',
              rate,
              duration: '10m',
              preAllocatedVUs: 50,
              maxVUs: 400,
            },
          },
          thresholds: {},
        },
      },
      { target: o.target, adminToken: o.adminToken, signal: traffic.signal, isolate: true },
    ).catch((err: unknown) => err);
    const runStart = Date.now();
    log(`healthy traffic: ${rate} journeys/s for ${healthySeconds} s`);
    const firing = new Set<string>();
    const pending = new Set<string>();
    const latencyAlerts = new Set(slos.filter((x) => x.sli.kind === 'httpLatency').map((x) => x.alertName));
    // The history Prometheus has: from one scrape interval before the first scrape that saw the
    // SLO's events (the runner's start-up and the first scrape come after runScenario is called).
    const totalQuery = eventsPromql(slo.sli, 'total');
    const badQuery = eventsPromql(slo.sli, 'bad');
    // Every change of the SLO's running counts Prometheus scraped: when seen, bad and total events.
    const counts: { at: number; bad: number; total: number }[] = [];
    const server = prom;
    const countNow = async () => {
      if (badQuery === undefined || totalQuery === undefined) return undefined;
      const [bad, total] = await Promise.all([server.query(badQuery), server.query(totalQuery)]);
      const now = { at: Date.now(), bad: bad[0]?.value, total: total[0]?.value ?? 0 };
      if (now.total !== counts.at(-1)?.total) counts.push({ ...now, bad: now.bad ?? 0 });
      return now;
    };
    let trafficStart: number | undefined = totalQuery === undefined ? runStart : undefined;
    while (Date.now() - runStart < healthySeconds * 1000) {
      for (const a of await prom.alerts())
        (a.state === 'firing' ? firing : pending).add(`${a.labels.alertname}/${a.labels.severity}`);
      const now = await countNow();
      if (trafficStart === undefined && now !== undefined && now.total > 0)
        trafficStart = Date.now() - intervalSeconds * 1000;
      await sleep(1000);
    }
    trafficStart ??= runStart;
    const rules = (await prom.recordingRules()).filter((r) => r.record.startsWith('slo:sli_error:'));
    const present = new Set(
      (await prom.query('{__name__=~"slo:sli_error:.+"}')).map(
        (s) => `${s.metric.__name__}{slo_id="${s.metric.slo_id}"}`,
      ),
    );
    const withoutData = rules
      .map((r) => `${r.record}{slo_id="${r.labels.slo_id}"}`)
      .filter((k) => !present.has(k));
    log(
      `SLI rules with data: ${rules.length - withoutData.length}/${rules.length}; alerts fired: ${[...firing].join(', ') || 'none'}`,
    );

    // The fault: the PSP refuses every call.
    const faultStart = Date.now();
    await setPspOutage(o.target, o.adminToken, faultSeconds + 60);
    log(`PSP down for ${faultSeconds} s`);
    const page = { alertname: slo.alertName, detectedAfter: null as number | null };
    const isPage = (labels: Record<string, string>) =>
      labels.alertname === slo.alertName && labels.severity === 'page' && labels.slo_id === slo.id;
    const history = (faultStart - trafficStart) / 1000;
    // A sample reaches the rules up to a scrape interval after the event (one more if it lands on
    // a window's edge), the recording and the alert group each evaluate up to an interval later,
    // and Alertmanager groups for 1 s.
    const slack = 2 * intervalSeconds + 2 * intervalSeconds + 3;
    const detectBound = (alertTimings(slo, 1, history)[0].detectSeconds ?? Number.NaN) + slack;
    const pagePairs = slo.windows.filter((w) => w.severity === 'page');
    // From recovery: the bad events may go on a little (breaker), then the pairs clear. The pairs
    // clear on event counts, so the bound takes the counts Prometheus scraped: the bad events as
    // seconds of healthy traffic (bad / healthy rate) and the good ones before them as history.
    // Timing the burn by the scrapes that saw it instead is off by up to a scrape interval, and the
    // 6h/30m pair multiplies that by 1 / (6 × budget): ±5 s became ±80 s of bound.
    const resetBoundFor = (stopAfterRecovery: number, pastSeconds: number, burnSeconds: number) =>
      Math.max(0, stopAfterRecovery) +
      Math.max(
        ...pagePairs.map((w) =>
          pairResetSecondsAfter(w, slo.errorBudget, 1, { historySeconds: pastSeconds, burnSeconds }),
        ),
      ) +
      slack;
    let resetBound = resetBoundFor(0, history, faultSeconds);
    // When the bad events really stopped: the last change of their running count after recovery.
    let lastBad: number | undefined;
    let badStoppedAt: number | undefined;
    let lastBadChange: number | undefined;
    let recoveredAt: number | undefined;
    let errorRatio: number | null = null;
    let previous: { bad: number; total: number } | undefined;
    let atStop: { at: number; bad: number; total: number } | undefined;
    const deadline =
      faultStart + (faultSeconds + detectBound + resetBoundFor(30, history, faultSeconds + 30) + 60) * 1000;
    let resolvedAfter: number | null = null;
    while (Date.now() < deadline) {
      const now = Date.now();
      if (recoveredAt === undefined && now - faultStart >= faultSeconds * 1000) {
        const ratio = await prom.query(
          `${sliRecordName(slo.windows.find((w) => w.severity === 'page')?.short ?? '5m')}{slo_id="${slo.id}"}`,
        );
        await setPspOutage(o.target, o.adminToken, undefined);
        recoveredAt = Date.now();
        log(`PSP recovered (5m SLI ${ratio[0]?.value.toFixed(3) ?? 'no data'})`);
      }
      const seen = await countNow();
      if (seen !== undefined && badStoppedAt === undefined) {
        const count = seen.bad;
        const all = seen.total;
        if (count !== undefined && count !== lastBad) {
          // The burn's error ratio: the highest share of bad events between two scrapes (a whole
          // fault interval between scrapes; the edges hold healthy events too).
          if (previous !== undefined && all > previous.total)
            errorRatio = Math.max(errorRatio ?? 0, (count - previous.bad) / (all - previous.total));
          previous = { bad: count, total: all };
          lastBad = count;
          lastBadChange = Date.now();
        } else if (
          recoveredAt !== undefined &&
          lastBadChange !== undefined &&
          Date.now() - lastBadChange > 2.5 * intervalSeconds * 1000
        ) {
          badStoppedAt = lastBadChange;
          atStop = counts.find((c) => c.bad === lastBad);
          const burnSeconds = (badStoppedAt - faultStart) / 1000;
          log(
            `bad checkouts stopped ${burnSeconds.toFixed(0)} s after the fault started (the last scrape that saw them)`,
          );
        }
      }
      if (page.detectedAfter === null && (await am.alerts()).some((a) => isPage(a.labels))) {
        page.detectedAfter = (Date.now() - faultStart) / 1000;
        log(
          `checkout page reached Alertmanager ${page.detectedAfter.toFixed(1)} s after the fault (bound ${detectBound.toFixed(1)} s)`,
        );
      }
      if (recoveredAt !== undefined && page.detectedAfter !== null) {
        const resolved = am.notifications.find(
          (n) => n.status === 'resolved' && n.alerts.some((a) => isPage(a.labels) && a.status === 'resolved'),
        );
        if (resolved) {
          resolvedAfter = (resolved.receivedAt - recoveredAt) / 1000;
          if (atStop && badStoppedAt !== undefined) {
            const rate = healthyRate(counts, atStop, runStart);
            if (rate > 0)
              resetBound = resetBoundFor(
                (badStoppedAt - recoveredAt) / 1000,
                Math.max(0, atStop.total - atStop.bad) / rate,
                atStop.bad / rate,
              );
            log(
              `${atStop.bad} bad of ${atStop.total} checkouts when they stopped; healthy ${rate.toFixed(2)} checkouts/s: ` +
                `the burn is ${(atStop.bad / rate).toFixed(1)} s of traffic`,
            );
          }
          log(
            `checkout page resolved ${resolvedAfter.toFixed(1)} s after recovery (bound ${resetBound.toFixed(1)} s)`,
          );
          break;
        }
      }
      await sleep(500);
    }
    return {
      prometheusUrl: prom.url,
      alertmanagerUrl: am.url,
      interval,
      sliRules: { loaded: rules.length, withoutData },
      healthy: {
        seconds: healthySeconds,
        firing: [...firing],
        pending: [...pending].filter((p) => !firing.has(p) && !latencyAlerts.has(p.split('/')[0])),
        latencyPending: [...pending].filter((p) => !firing.has(p) && latencyAlerts.has(p.split('/')[0])),
      },
      fault: {
        seconds: faultSeconds,
        errorRatio,
        burnSeconds: badStoppedAt === undefined ? null : (badStoppedAt - faultStart) / 1000,
      },
      page: { alertname: slo.alertName, detectedAfter: page.detectedAfter, bound: detectBound },
      resolve: { resolvedAfter, bound: resetBound },
      seconds: (Date.now() - began) / 1000,
    };
  } finally {
    traffic.abort();
    await run;
    await setPspOutage(o.target, o.adminToken, undefined).catch(() => {});
    await prom?.stop();
    await am?.stop();
    if (o.dir === undefined) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per check, for the CLI. */
export function formatPrometheusDrill(r: PrometheusDrillReport): string {
  const s = (x: number | null) => (x === null ? 'never' : `${x.toFixed(1)} s`);
  return [
    `prometheus ${r.prometheusUrl}, alertmanager ${r.alertmanagerUrl}, scrape and evaluation every ${r.interval}`,
    `SLI recording rules with data under healthy traffic: ${r.sliRules.loaded - r.sliRules.withoutData.length}/${r.sliRules.loaded}${r.sliRules.withoutData.length ? ` (without: ${r.sliRules.withoutData.join(', ')})` : ''}`,
    `healthy ${r.healthy.seconds} s: alerts fired: ${r.healthy.firing.join(', ') || 'none'}; pending: ${r.healthy.pending.join(', ') || 'none'}${r.healthy.latencyPending.length ? ` (latency, not failed: ${r.healthy.latencyPending.join(', ')})` : ''}`,
    `PSP down ${r.fault.seconds} s: checkout error ratio ${r.fault.errorRatio === null ? 'unknown' : `${(r.fault.errorRatio * 100).toFixed(0)}%`} (highest between two scrapes), bad checkouts for ${s(r.fault.burnSeconds)}`,
    `${r.page.alertname} (page) reached Alertmanager ${s(r.page.detectedAfter)} after the fault started (allowed ${r.page.bound.toFixed(1)} s)`,
    `resolved ${s(r.resolve.resolvedAfter)} after the PSP recovered (allowed ${r.resolve.bound.toFixed(1)} s); drill took ${r.seconds.toFixed(0)} s`,
  ].join('\n');
}

/** Throws MB_ERR_SLO_DRILL_FAILED naming every check the drill failed. */
export function assertPrometheusDrill(r: PrometheusDrillReport): void {
  const failures: string[] = [];
  if (r.sliRules.loaded === 0) failures.push('no SLI recording rule was loaded');
  if (r.sliRules.withoutData.length > 0)
    failures.push(`SLI rules without data under healthy traffic: ${r.sliRules.withoutData.join(', ')}`);
  if (r.healthy.firing.length > 0)
    failures.push(`alerts fired on healthy traffic: ${r.healthy.firing.join(', ')}`);
  if (r.page.detectedAfter === null) failures.push('the checkout page never reached Alertmanager');
  else if (r.page.detectedAfter > r.page.bound)
    failures.push(
      `the checkout page came ${r.page.detectedAfter.toFixed(1)} s after the fault (allowed ${r.page.bound.toFixed(1)} s)`,
    );
  if (r.page.detectedAfter !== null && r.resolve.resolvedAfter === null)
    failures.push('the checkout page never resolved');
  else if (r.resolve.resolvedAfter !== null && r.resolve.resolvedAfter > r.resolve.bound)
    failures.push(
      `the checkout page resolved ${r.resolve.resolvedAfter.toFixed(1)} s after recovery (allowed ${r.resolve.bound.toFixed(1)} s)`,
    );
  if (failures.length > 0)
    throw new SloError('MB_ERR_SLO_DRILL_FAILED', `Prometheus drill failed: ${failures.join('; ')}`);
}

// Runs one iteration: picks a journey, sends its steps in order with fresh trace context, and
// records every sample. Latency is measured from the intended start (the schedule's time for the
// first step, the end of the previous step plus think time for the next ones), so a stalled
// server or a late generator shows up in http_req_duration instead of vanishing.

import { performance } from 'node:perf_hooks';
import { BAGGAGE } from '@marketbench/contracts';
import { newTraceIds, traceparent } from '../http/traceContext.ts';
import { MetricRegistry, type Series } from '../metrics/MetricRegistry.ts';
import type { EngineContext } from '../runner/EngineContext.ts';
import { epochOf, formatTimestamp } from '../runner/RequestRow.ts';
import type { Vu } from '../runner/Vu.ts';
import { readPath, type TemplateContext } from '../scenario/templates.ts';
import type { CompiledJourney, CompiledStep, JourneyPicker } from './compileJourneys.ts';

/** One executor's view: its name, tags, journeys and cached series handles. */
export interface ExecutorRuntime {
  name: string;
  tags: Record<string, string>;
  picker: JourneyPicker;
  handles: Map<CompiledStep, Map<number, RequestHandles>>;
  iterationHandles: Map<string, { iterations: Series; duration: Series }>;
}

interface RequestHandles {
  reqs: Series;
  duration: Series;
  uncorrected: Series;
  lag: Series;
  failed: Series;
  sent: Series;
  received: Series;
}

function requestHandles(
  ctx: EngineContext,
  ex: ExecutorRuntime,
  journey: string,
  step: CompiledStep,
  status: number,
  ok: boolean,
): RequestHandles {
  let byStatus = ex.handles.get(step);
  if (!byStatus) {
    byStatus = new Map();
    ex.handles.set(step, byStatus);
  }
  const key = status * 2 + (ok ? 1 : 0);
  let h = byStatus.get(key);
  if (!h) {
    const tags = {
      ...ctx.tags,
      ...ex.tags,
      scenario: ex.name,
      journey,
      name: step.name,
      method: step.method,
      status: String(status),
      expected_response: String(ok),
    };
    const r = ctx.registry;
    h = {
      reqs: r.series('http_reqs', 'counter', tags),
      duration: r.series('http_req_duration', 'trend', tags),
      uncorrected: r.series('http_req_duration_uncorrected', 'trend', tags),
      lag: r.series('http_req_scheduling_lag', 'trend', tags),
      failed: r.series('http_req_failed', 'rate', tags),
      sent: r.series('data_sent', 'counter', tags),
      received: r.series('data_received', 'counter', tags),
    };
    byStatus.set(key, h);
  }
  return h;
}

function headerBytes(headers: Record<string, string>): number {
  let n = 0;
  for (const k in headers) n += k.length + headers[k].length + 4;
  return n;
}

function parseJson(body: Buffer | undefined): unknown {
  if (!body || body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Runs one iteration of VU `vu`, intended to start at `intendedStart` (performance.now() clock). */
export async function runIteration(
  ctx: EngineContext,
  ex: ExecutorRuntime,
  vu: Vu,
  intendedStart: number,
): Promise<void> {
  const journey: CompiledJourney = ex.picker.pick(ctx.random);
  const iteration = vu.iterations++;
  ctx.live.iterationsStarted++;
  const rows = new Map<string, Record<string, unknown>>();
  const tctx: TemplateContext = {
    vu: vu.id,
    iteration,
    vars: {},
    uuids: new Map(),
    random: ctx.random,
    row: (name) => {
      let row = rows.get(name);
      if (!row) {
        const feeder = ctx.feeders.get(name);
        if (!feeder) throw new Error(`feeder ${name} is not loaded`);
        row = feeder.next(vu.id, ctx.random);
        rows.set(name, row);
      }
      return row;
    },
  };
  let intended = intendedStart;
  // End of the last response (plus its think time): the iteration's end without another clock read.
  let lastEnd = intendedStart;
  for (const step of journey.steps) {
    if (vu.aborted) return;
    let path: string;
    const headers: Record<string, string> = {};
    let body: string | undefined;
    try {
      path = step.path(tctx);
      for (const [k, t] of step.headers) headers[k] = t(tctx);
      body = step.body?.(tctx);
    } catch (err) {
      // A feeder that ran out of unique rows: the iteration fails before sending anything. No
      // request was sent, so nothing counts in http_req_failed (as a k6 script exception).
      ctx.live.lastError = (err as Error).message;
      return;
    }
    const { traceId, spanId } = newTraceIds();
    headers.traceparent = traceparent(traceId, spanId);
    headers.baggage = step.baggage ??= `${BAGGAGE.runId}=${ctx.runId},${BAGGAGE.step}=${step.name}`;
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const actual = performance.now();
    // Timers may fire a fraction of a millisecond early; a start is never before its intention.
    if (actual < intended) intended = actual;
    const res = await ctx.client.send(
      {
        method: step.method,
        path,
        headers,
        body,
        keepBody: step.keepBody,
      },
      vu,
    );
    if (!res.dispatched) return;
    lastEnd = res.end;
    // Interrupted in flight (gracefulStop, abort): the request was sent, so it is counted and gets
    // its row (requests sent = rows = server spans), but its cut-short latency is not a sample.
    const interrupted = vu.aborted && res.error !== undefined;
    const corrected = res.end - intended;
    const uncorrected = res.end - actual;
    const lag = actual - intended;
    const ok = res.error === undefined && step.expected(res.status);
    const h = requestHandles(ctx, ex, journey.name, step, res.status, ok);
    const sent =
      step.method.length + path.length + 12 + headerBytes(headers) + (body ? Buffer.byteLength(body) : 0);
    MetricRegistry.add(h.reqs, 1);
    if (!interrupted) {
      MetricRegistry.add(h.duration, corrected);
      MetricRegistry.add(h.uncorrected, uncorrected);
      MetricRegistry.add(h.lag, lag);
      ctx.live.interval.recordValue(Math.max(0, Math.round(corrected * 1000)));
    }
    MetricRegistry.add(h.failed, !ok);
    MetricRegistry.add(h.sent, sent);
    MetricRegistry.add(h.received, res.bytesReceived);
    ctx.live.requests++;
    if (!ok) ctx.live.errors++;
    ctx.clientSpans?.record({
      traceId,
      spanId,
      method: step.method,
      template: step.template,
      path,
      status: res.status,
      error: res.error,
      scenario: ex.name,
      journey: journey.name,
      step: step.name,
      start: actual,
      end: res.end,
      correctedMs: corrected,
      uncorrectedMs: uncorrected,
    });

    const emitRow = (checkFailures: number) => {
      ctx.onRequest?.({
        run_id: ctx.runId,
        scenario: ex.name,
        journey: journey.name,
        step: step.name,
        method: step.method,
        url: ctx.origin + path,
        vu: vu.id,
        iteration,
        intended_start: formatTimestamp(epochOf(intended)),
        actual_start: formatTimestamp(epochOf(actual)),
        latency_corrected_ms: corrected,
        latency_uncorrected_ms: uncorrected,
        scheduling_lag_ms: lag,
        status: res.status,
        expected_response: ok,
        bytes_sent: sent,
        bytes_received: res.bytesReceived,
        trace_id: traceId,
        span_id: spanId,
        error: res.error ?? (ok ? '' : `unexpected status ${res.status}`),
        check_failures: checkFailures,
        tags: { ...ctx.tags, ...ex.tags },
      });
    };
    if (interrupted) {
      emitRow(0);
      return;
    }
    const json = step.keepBody ? parseJson(res.body) : undefined;
    let checkFailures = 0;
    for (const [checkName, check] of step.checks) {
      let pass = true;
      if (check.status !== undefined)
        pass &&= Array.isArray(check.status)
          ? check.status.includes(res.status)
          : check.status === res.status;
      if (check.jsonPath !== undefined) {
        const v = readPath(json, check.jsonPath);
        pass &&= check.equals !== undefined ? v === check.equals : v !== undefined;
      }
      if (check.maxDurationMs !== undefined) pass &&= uncorrected <= check.maxDurationMs;
      if (!pass) checkFailures++;
      ctx.registry.add(
        'checks',
        'rate',
        {
          ...ctx.tags,
          ...ex.tags,
          scenario: ex.name,
          journey: journey.name,
          name: step.name,
          check: checkName,
        },
        pass,
      );
    }
    for (const [name, p] of step.capture) tctx.vars[name] = readPath(json, p);
    for (const rec of step.record) {
      const type = ctx.def.metrics?.[rec.metric] ?? 'counter';
      const v =
        rec.value === 'duration'
          ? corrected
          : rec.value === 'ok'
            ? ok && checkFailures === 0
            : typeof rec.value === 'number'
              ? rec.value
              : Number(readPath(json, rec.value.slice(5)));
      if (typeof v === 'number' && Number.isNaN(v)) continue;
      ctx.registry.add(
        rec.metric,
        type,
        { ...ctx.tags, ...ex.tags, scenario: ex.name, journey: journey.name, name: step.name },
        v,
      );
    }
    if (ctx.onRequest) emitRow(checkFailures);
    if ((!ok || checkFailures > 0) && step.stopOnFailure) break;
    let next = res.end;
    if (step.think) {
      const [min, max] = step.think;
      const ms = min + (max - min) * ctx.random();
      next = res.end + ms;
      await vu.sleep(Math.ceil(ms));
      if (vu.aborted) return;
      lastEnd = next;
    }
    intended = next;
  }
  if (vu.aborted) return;
  let ih = ex.iterationHandles.get(journey.name);
  if (!ih) {
    const tags = { ...ctx.tags, ...ex.tags, scenario: ex.name, journey: journey.name };
    ih = {
      iterations: ctx.registry.series('iterations', 'counter', tags),
      duration: ctx.registry.series('iteration_duration', 'trend', tags),
    };
    ex.iterationHandles.set(journey.name, ih);
  }
  MetricRegistry.add(ih.iterations, 1);
  MetricRegistry.add(ih.duration, lastEnd - intendedStart);
}

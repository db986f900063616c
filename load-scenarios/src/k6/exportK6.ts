// Writes a k6 script equivalent to a scenario: the same executors (k6 runs them natively), the
// same thresholds and tags, the journeys embedded as data and run by a small interpreter with the
// same template, check, capture and think-time semantics, a fresh sampled W3C traceparent and the
// marketbench.run_id baggage on every request, and fault schedules as one-iteration scenarios.
// Differences from the marketbench runner: k6's http_req_duration is the uncorrected latency, and
// knee detection is not exported.

import { parseDuration } from '@marketbench/contracts';
import { ROUTES } from '@marketbench/contracts';
import type { ScenarioDefinition } from '../types.ts';

const RUNTIME = String.raw`
const BASE_URL = __ENV.TARGET || 'http://127.0.0.1:8080';
const RUN_ID = __ENV.MARKETBENCH_RUN_ID || 'k6-' + Date.now();
const ADMIN_TOKEN = __ENV.MARKETBENCH_ADMIN_TOKEN || '';

function hex(n) {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(Math.random() * 16)];
  return s;
}

function uuid() {
  const h = hex(32);
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-4' + h.slice(13, 16) + '-a' + h.slice(17, 20) + '-' + h.slice(20);
}

function readPath(value, path) {
  let v = value;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

function feederRow(ctx, name) {
  if (!ctx.rows[name]) {
    const f = FEEDERS[name];
    let i;
    if (f.mode === 'unique') i = (exec.vu.idInTest - 1) % f.rows.length;
    else if (f.mode === 'sequential') i = exec.scenario.iterationInTest % f.rows.length;
    else i = Math.floor(Math.random() * f.rows.length);
    ctx.rows[name] = f.rows[i];
  }
  return ctx.rows[name];
}

function resolveRef(ref, ctx) {
  if (ref === 'vu') return exec.vu.idInTest;
  if (ref === 'iteration') return exec.vu.iterationInScenario;
  if (ref.indexOf('uuid:') === 0) {
    if (!ctx.uuids[ref]) ctx.uuids[ref] = uuid();
    return ctx.uuids[ref];
  }
  if (ref.indexOf('randomInt:') === 0) {
    const p = ref.split(':');
    const min = Number(p[1]);
    return min + Math.floor(Math.random() * (Number(p[2]) - min + 1));
  }
  const dot = ref.indexOf('.');
  if (dot > 0) return feederRow(ctx, ref.slice(0, dot))[ref.slice(dot + 1)];
  return ctx.vars[ref];
}

function renderString(text, ctx, encode) {
  return text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_m, ref) => {
    const v = resolveRef(ref, ctx);
    const s = v === undefined || v === null ? '' : String(v);
    return encode ? encodeURIComponent(s) : s;
  });
}

function renderValue(v, ctx) {
  if (typeof v === 'string') {
    const whole = /^\{\{\s*([^}]+?)\s*\}\}$/.exec(v);
    return whole ? resolveRef(whole[1], ctx) : renderString(v, ctx);
  }
  if (Array.isArray(v)) return v.map((x) => renderValue(x, ctx));
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = renderValue(v[k], ctx);
    return out;
  }
  return v;
}

function parseDurationMs(text) {
  const units = { ms: 1, s: 1000, m: 60000, h: 3600000 };
  let ms = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let m;
  while ((m = re.exec(text)) !== null) ms += Number(m[1]) * units[m[2]];
  return ms;
}

function thinkSeconds(think) {
  if (!think) return 0;
  if (typeof think === 'string') return parseDurationMs(think) / 1000;
  const min = parseDurationMs(think.min);
  const max = parseDurationMs(think.max);
  return (min + Math.random() * (max - min)) / 1000;
}

function runStep(journey, step, ctx) {
  const traceId = hex(32);
  const spanId = hex(16);
  const headers = {
    traceparent: '00-' + traceId + '-' + spanId + '-01',
    baggage: 'marketbench.run_id=' + RUN_ID + ',marketbench.step=' + step.name,
  };
  for (const k of Object.keys(step.headers || {})) headers[k] = renderString(step.headers[k], ctx);
  let body = null;
  if (step.body !== undefined) {
    body = JSON.stringify(renderValue(step.body, ctx));
    headers['content-type'] = 'application/json';
  }
  const res = http.request(step.method, BASE_URL + renderString(step.path, ctx, true), body, {
    headers: headers,
    tags: { name: step.name, journey: journey },
    responseCallback: step.expectedStatuses ? http.expectedStatuses(...step.expectedStatuses) : http.expectedStatuses({ min: 200, max: 399 }),
  });
  const expected = step.expectedStatuses ? step.expectedStatuses.indexOf(res.status) >= 0 : res.status >= 200 && res.status < 400;
  let json;
  const needsJson = (step.capture && Object.keys(step.capture).length > 0) || Object.values(step.checks || {}).some((c) => c.jsonPath !== undefined) || (step.record || []).some((r) => typeof r.value === 'string' && r.value.indexOf('json:') === 0);
  if (needsJson) {
    try {
      json = res.json();
    } catch (_e) {
      json = undefined;
    }
  }
  const checks = {};
  for (const name of Object.keys(step.checks || {})) {
    const c = step.checks[name];
    checks[name] = (r) => {
      let pass = true;
      if (c.status !== undefined) pass = pass && (Array.isArray(c.status) ? c.status.indexOf(r.status) >= 0 : r.status === c.status);
      if (c.jsonPath !== undefined) {
        const v = readPath(json, c.jsonPath);
        pass = pass && (c.equals !== undefined ? v === c.equals : v !== undefined);
      }
      if (c.maxDurationMs !== undefined) pass = pass && r.timings.duration <= c.maxDurationMs;
      return pass;
    };
  }
  const checksOk = Object.keys(checks).length === 0 ? true : check(res, checks, { name: step.name, journey: journey });
  for (const v of Object.keys(step.capture || {})) ctx.vars[v] = readPath(json, step.capture[v]);
  for (const rec of step.record || []) {
    const metric = METRICS[rec.metric];
    let value;
    if (rec.value === 'duration') value = res.timings.duration;
    else if (rec.value === 'ok') value = expected && checksOk;
    else if (typeof rec.value === 'number') value = rec.value;
    else value = Number(readPath(json, rec.value.slice(5)));
    if (typeof value === 'number' && isNaN(value)) continue;
    metric.add(value, { name: step.name, journey: journey });
  }
  const stop = step.stopOnFailure === undefined ? true : step.stopOnFailure;
  if ((!expected || !checksOk) && stop) return false;
  const t = thinkSeconds(step.think);
  if (t > 0) sleep(t);
  return true;
}

function runJourney(name) {
  const ctx = { vars: {}, uuids: {}, rows: {} };
  for (const step of JOURNEYS[name].steps) {
    if (!runStep(name, step, ctx)) return;
  }
}

function pick(names) {
  let total = 0;
  for (const n of names) total += JOURNEYS[n].weight;
  let x = Math.random() * total;
  for (const n of names) {
    x -= JOURNEYS[n].weight;
    if (x < 0) return n;
  }
  return names[names.length - 1];
}
`;

const METRIC_CLASS = { counter: 'Counter', rate: 'Rate', trend: 'Trend', gauge: 'Gauge' } as const;

function exportName(name: string): string {
  return `run_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The k6 script for a scenario; `command` and `source` go into the DO-NOT-EDIT header. */
export function exportK6(def: ScenarioDefinition, header: { command: string; source: string }): string {
  const scenarios: Record<string, Record<string, unknown>> = {};
  const execs: string[] = [];
  for (const [name, config] of Object.entries(def.options.scenarios)) {
    const { journeys, ...k6config } = config;
    const fn = exportName(name);
    scenarios[name] = { ...k6config, exec: fn };
    const names = journeys ?? Object.keys(def.journeys);
    execs.push(`export function ${fn}() {\n  runJourney(pick(${JSON.stringify(names)}));\n}\n`);
  }
  // Each fault runs in its own one-iteration VU, so each sends the whole fault set in force at
  // its time (PUT /admin/faults replaces the set).
  const inForce: Record<string, unknown> = {};
  [...(def.faults ?? [])]
    .sort((a, b) => parseDuration(a.at, 'duration') - parseDuration(b.at, 'duration'))
    .forEach((f, i) => {
      if (f.action === 'set') inForce[f.dependency] = f.spec ?? {};
      else delete inForce[f.dependency];
      const name = `fault_${i}_${f.action}_${f.dependency}`;
      scenarios[name] = { executor: 'shared-iterations', vus: 1, iterations: 1, startTime: f.at, exec: name, tags: { marketbench: 'fault' } };
      execs.push(`export function ${name}() {\n  putFaults(${JSON.stringify({ faults: inForce })});\n}\n`);
    });
  const feeders: Record<string, { mode: string; source: string }> = {};
  for (const [name, spec] of Object.entries(def.feeders ?? {})) {
    const source = spec.rows
      ? `new SharedArray(${JSON.stringify(name)}, () => ${JSON.stringify(spec.rows)})`
      : spec.file?.endsWith('.csv')
        ? `new SharedArray(${JSON.stringify(name)}, () => parseCsv(open(${JSON.stringify(spec.file)})))`
        : `new SharedArray(${JSON.stringify(name)}, () => JSON.parse(open(${JSON.stringify(spec.file)})))`;
    feeders[name] = { mode: spec.mode, source };
  }
  const lines: string[] = [];
  lines.push(`// DO NOT EDIT: generated by \`${header.command}\` from ${header.source}; regenerate with \`npm run gen\`.`);
  lines.push(`// ${def.name}: ${def.description}`);
  lines.push('// Run: k6 run -e TARGET=http://127.0.0.1:8080 [-e MARKETBENCH_RUN_ID=...] [-e MARKETBENCH_ADMIN_TOKEN=...] <this file>');
  lines.push(`// Note: k6's http_req_duration is the uncorrected latency; marketbench's runner measures it from the intended start.`);
  if (def.options.knee) lines.push('// Note: knee detection (options.knee) runs only in the marketbench runner.');
  lines.push("import { check, sleep } from 'k6';");
  lines.push("import { SharedArray } from 'k6/data';");
  lines.push("import exec from 'k6/execution';");
  lines.push("import http from 'k6/http';");
  const metricTypes = new Set(Object.values(def.metrics ?? {}));
  if (metricTypes.size > 0) lines.push(`import { ${[...metricTypes].map((t) => METRIC_CLASS[t]).sort().join(', ')} } from 'k6/metrics';`);
  lines.push('');
  lines.push("/** @type {import('k6/options').Options} */");
  lines.push(`export const options = ${JSON.stringify({ scenarios, thresholds: def.options.thresholds ?? {}, tags: def.options.tags ?? {} }, null, 2)};`);
  lines.push('');
  lines.push(`const JOURNEYS = ${JSON.stringify(def.journeys, null, 2)};`);
  lines.push('');
  lines.push('const FEEDERS = {');
  for (const [name, f] of Object.entries(feeders)) lines.push(`  ${JSON.stringify(name)}: { mode: ${JSON.stringify(f.mode)}, rows: ${f.source} },`);
  lines.push('};');
  lines.push('');
  lines.push('const METRICS = {');
  for (const [name, type] of Object.entries(def.metrics ?? {})) {
    lines.push(`  ${JSON.stringify(name)}: new ${METRIC_CLASS[type]}(${JSON.stringify(name)}${type === 'trend' ? ', true' : ''}),`);
  }
  lines.push('};');
  lines.push(RUNTIME);
  lines.push(`function parseCsv(text) {
  const lines = text.split(/\\r?\\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    const row = {};
    header.forEach((h, i) => {
      row[h.trim()] = cells[i] === undefined ? '' : cells[i];
    });
    return row;
  });
}

function putFaults(body) {
  http.put(BASE_URL + ${JSON.stringify(ROUTES.adminFaults)}, JSON.stringify(body), {
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + ADMIN_TOKEN },
    tags: { name: 'admin_faults' },
  });
}
`);
  lines.push(execs.join('\n'));
  return `${lines.join('\n').trimEnd()}\n`;
}

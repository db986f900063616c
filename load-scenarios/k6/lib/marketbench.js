// marketbench's k6 runtime: runs a scenario's journeys (declarative steps, as the marketbench
// runner does) inside k6. Every exported script imports it and holds only its options and journeys.
// Same semantics as load-scenarios/src: templates ({{vu}}, {{iteration}}, {{uuid:label}},
// {{randomInt:a:b}}, {{__ENV.NAME}}, {{feeder.column}}, captured variables; a body string that is
// one template keeps the value's type), feeders (sequential, random, unique), checks (status,
// jsonPath/equals, maxDurationMs), captures, custom metric records, think time, stopOnFailure,
// expectedStatuses as k6's expected_response, and a fresh W3C traceparent plus run-id baggage
// per request. Tested under Node against the reference service (load-scenarios/test/k6/).

import { check, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';

const TEMPLATE = /\{\{\s*([^}]+?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^}]+?)\s*\}\}$/;
const ENV_PREFIX = '__ENV.';
const UNITS_MS = { ms: 1, s: 1000, m: 60000, h: 3600000 };

function hex(n) {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(Math.random() * 16)];
  return s;
}

/** A random (version 4) UUID. */
export function uuid() {
  const h = hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[Math.floor(Math.random() * 4)]}${h.slice(17, 20)}-${h.slice(20)}`;
}

/** Reads a dotted path (`items.0.id`) from a parsed JSON value. */
export function readPath(value, path) {
  let v = value;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

/** Milliseconds in a k6 duration (`500ms`, `1m30s`; a bare number is milliseconds). */
export function durationMs(text) {
  if (typeof text === 'number') return text;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  let ms = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let m = re.exec(text);
  while (m !== null) {
    ms += Number(m[1]) * UNITS_MS[m[2]];
    m = re.exec(text);
  }
  return ms;
}

/** Rows of a CSV file with a header line (quoted fields, embedded commas and quotes, CRLF). */
export function parseCsv(text) {
  const rows = [];
  let field = '';
  let row = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.some((x) => x !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((x) => x !== '')) rows.push(row);
  const [header, ...body] = rows;
  return body.map((cells) => {
    const out = {};
    header.forEach((h, i) => {
      out[h.trim()] = cells[i] === undefined ? '' : cells[i];
    });
    return out;
  });
}

/**
 * The runtime of one script: `journeys` by name, `feeders` by name (`{ mode, rows }`), custom
 * `metrics` by name (k6 metric objects), `faultsPath` (the reference service's fault API). Options:
 * `baseUrl` (default `__ENV.TARGET`), `runId` (default `__ENV.MARKETBENCH_RUN_ID`), `adminToken`
 * (default `__ENV.MARKETBENCH_ADMIN_TOKEN`).
 * @param {{ journeys: Record<string, { weight: number, steps: any[] }>, feeders?: Record<string, { mode: string, rows: any }>,
 *   metrics?: Record<string, { add(value: number | boolean, tags?: Record<string, string>): void }>, faultsPath?: string,
 *   baseUrl?: string, runId?: string, adminToken?: string }} config
 */
export function marketbench({
  journeys,
  feeders = {},
  metrics = {},
  faultsPath = '/admin/faults',
  baseUrl,
  runId,
  adminToken,
}) {
  const BASE_URL = baseUrl || __ENV.TARGET || 'http://127.0.0.1:8080';
  const RUN_ID = runId || __ENV.MARKETBENCH_RUN_ID || `k6-${Date.now()}`;
  const ADMIN_TOKEN = adminToken || __ENV.MARKETBENCH_ADMIN_TOKEN || '';

  function feederRow(ctx, name) {
    if (!ctx.rows[name]) {
      const f = feeders[name];
      if (!f) throw new Error(`feeder ${name} is not declared`);
      let i;
      if (f.mode === 'unique') i = exec.vu.idInTest - 1;
      else if (f.mode === 'sequential') i = exec.scenario.iterationInTest % f.rows.length;
      else i = Math.floor(Math.random() * f.rows.length);
      if (i >= f.rows.length)
        throw new Error(`feeder ${name} (unique) has ${f.rows.length} rows for VU ${i + 1}`);
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
    if (ref.indexOf(ENV_PREFIX) === 0) return __ENV[ref.slice(ENV_PREFIX.length)];
    const dot = ref.indexOf('.');
    if (dot > 0) return feederRow(ctx, ref.slice(0, dot))[ref.slice(dot + 1)];
    return ctx.vars[ref];
  }

  function renderString(text, ctx, encode) {
    return text.replace(TEMPLATE, (_m, ref) => {
      const v = resolveRef(ref, ctx);
      const s = v === undefined || v === null ? '' : String(v);
      return encode ? encodeURIComponent(s) : s;
    });
  }

  function renderValue(v, ctx) {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      return whole ? resolveRef(whole[1], ctx) : renderString(v, ctx, false);
    }
    if (Array.isArray(v)) return v.map((x) => renderValue(x, ctx));
    if (v && typeof v === 'object') {
      const out = {};
      for (const k of Object.keys(v)) out[k] = renderValue(v[k], ctx);
      return out;
    }
    return v;
  }

  function thinkSeconds(think) {
    if (!think) return 0;
    if (typeof think === 'string') return durationMs(think) / 1000;
    const min = durationMs(think.min);
    const max = durationMs(think.max);
    return (min + Math.random() * (max - min)) / 1000;
  }

  function isExpected(step, status) {
    return step.expectedStatuses ? step.expectedStatuses.indexOf(status) >= 0 : status >= 200 && status < 400;
  }

  /** Sends one step; false when the iteration stops here. */
  function runStep(journey, step, ctx) {
    const traceId = hex(32);
    const spanId = hex(16);
    const headers = {
      traceparent: `00-${traceId}-${spanId}-01`,
      baggage: `marketbench.run_id=${RUN_ID},marketbench.step=${step.name}`,
    };
    for (const k of Object.keys(step.headers || {})) headers[k] = renderString(step.headers[k], ctx, false);
    let body = null;
    if (step.body !== undefined) {
      body = JSON.stringify(renderValue(step.body, ctx));
      if (!headers['content-type']) headers['content-type'] = 'application/json';
    }
    const tags = { name: step.name, journey };
    const res = http.request(step.method, BASE_URL + renderString(step.path, ctx, true), body, {
      headers,
      tags,
      responseCallback: step.expectedStatuses
        ? http.expectedStatuses(...step.expectedStatuses)
        : http.expectedStatuses({ min: 200, max: 399 }),
    });
    const expected =
      res.error_code === 0 || res.error_code === undefined ? isExpected(step, res.status) : false;
    let json;
    try {
      json = typeof res.body === 'string' && res.body.length > 0 ? JSON.parse(res.body) : undefined;
    } catch (_e) {
      json = undefined;
    }
    const checks = {};
    for (const name of Object.keys(step.checks || {})) {
      const c = step.checks[name];
      checks[name] = (r) => {
        let pass = true;
        if (c.status !== undefined)
          pass = pass && (Array.isArray(c.status) ? c.status.indexOf(r.status) >= 0 : r.status === c.status);
        if (c.jsonPath !== undefined) {
          const v = readPath(json, c.jsonPath);
          pass = pass && (c.equals !== undefined ? v === c.equals : v !== undefined);
        }
        if (c.maxDurationMs !== undefined) pass = pass && r.timings.duration <= c.maxDurationMs;
        return pass;
      };
    }
    const checksOk = Object.keys(checks).length === 0 ? true : check(res, checks, tags);
    for (const v of Object.keys(step.capture || {})) ctx.vars[v] = readPath(json, step.capture[v]);
    for (const rec of step.record || []) {
      const metric = metrics[rec.metric];
      if (!metric) throw new Error(`metric ${rec.metric} is not declared`);
      let value;
      if (rec.value === 'duration') value = res.timings.duration;
      else if (rec.value === 'ok') value = expected && checksOk;
      else if (typeof rec.value === 'number') value = rec.value;
      else value = Number(readPath(json, rec.value.slice(5)));
      if (typeof value === 'number' && Number.isNaN(value)) continue;
      metric.add(value, tags);
    }
    const stop = step.stopOnFailure === undefined ? true : step.stopOnFailure;
    if ((!expected || !checksOk) && stop) return false;
    const t = thinkSeconds(step.think);
    if (t > 0) sleep(t);
    return true;
  }

  /** Picks one of `names` by the journeys' weights. */
  function pick(names) {
    let total = 0;
    for (const n of names) total += journeys[n].weight;
    let x = Math.random() * total;
    for (const n of names) {
      x -= journeys[n].weight;
      if (x < 0) return n;
    }
    return names[names.length - 1];
  }

  return {
    /** Runs one iteration: a journey picked by weight among `names` (default: every journey). */
    run(names) {
      const name = pick(names || Object.keys(journeys));
      const ctx = { vars: {}, uuids: {}, rows: {} };
      for (const step of journeys[name].steps) {
        if (!runStep(name, step, ctx)) return name;
      }
      return name;
    },
    /** Sends the whole fault set in force (PUT replaces it) to the reference service's admin API. */
    putFaults(body) {
      return http.put(BASE_URL + faultsPath, JSON.stringify(body), {
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        tags: { name: 'admin_faults' },
      });
    },
  };
}

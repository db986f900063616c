// Turns a TrafficProfile into a scenario model: the route mix as weighted journeys (or, where
// spans carry a session id, the most frequent session sequences plus one-request journeys for
// the rest, so the route mix still adds up), path parameters and query strings from feeders that
// reproduce the observed popularity (empirically or through a fitted Zipf law), the rate per
// bucket as ramping-arrival-rate stages compressed in time by `speedup` but not in rate, and
// scaled by `rateScale`. renderScenario writes the model as a TypeScript scenario file.

import { ScenarioError } from '../errors.ts';
import type { HttpMethod } from '../types.ts';
import { fitZipf, type ZipfFit } from './fitZipf.ts';
import type { RouteProfile, TrafficProfile } from './TrafficProfile.ts';
import { bucketWidth, routeKey } from './TrafficProfile.ts';

/** How ids in paths are drawn. */
export type IdModel = 'empirical' | 'zipf';

/** Options of deriveScenario. */
export interface DeriveOptions {
  /** Scenario name (default `derived-<service>`). */
  name?: string;
  /** Time compression: a bucket of B seconds becomes a stage of B/speedup seconds at the same rate (default 1). */
  speedup?: number;
  /** Rate multiplier (default 1). */
  rateScale?: number;
  /** Ids from the observed top values in proportion (`empirical`, default) or from a fitted Zipf law. */
  ids?: IdModel;
  /** Refuse a window with fewer server spans than this (default 1,000). */
  minSpans?: number;
  /** Session sequences kept as journeys (default 20). */
  maxJourneys?: number;
  /** Query-string shapes (sets of parameter names) kept per route (default 5). */
  maxQueryShapes?: number;
  /** Literal paths kept for requests that matched no route (default 5). */
  maxUnmatchedPaths?: number;
}

/** Test data for one route or query shape: rows of column values with their observed counts. */
export interface DerivedFeeder {
  /** Feeder name (an identifier). */
  name: string;
  /** Column names (path parameter or query parameter names). */
  columns: string[];
  /** Distinct rows, most frequent first. */
  entries: { values: string[]; count: number }[];
  /** The Zipf law the rows are drawn by, when ids are `zipf`. */
  zipf?: ZipfFit;
  /** Share of the route's requests the entries cover (the rest were rarer values). */
  coverage: number;
}

/** One request of a derived journey. */
export interface DerivedStep {
  /** Step name (the `name` tag). */
  name: string;
  /** HTTP method. */
  method: HttpMethod;
  /** The route key this step reproduces (`GET /listings/:id`). */
  route: string;
  /** Path with `{{feeder.column}}` templates. */
  path: string;
  /** Bytes of JSON padding to send as the body (bodies are not in spans; only their size is). */
  bodyBytes?: number;
  /** Statuses below 500 seen on the route (k6's expected responses). */
  expectedStatuses: number[];
  /** Think time after the step, ms (sessions only). */
  thinkMs?: number;
}

/** A weighted journey. */
export interface DerivedJourney {
  /** Journey name. */
  name: string;
  /** Weight: iterations per unit. */
  weight: number;
  /** Steps. */
  steps: DerivedStep[];
}

/** A ramping-arrival-rate executor that holds each bucket's recorded rate. */
export interface DerivedExecutor {
  /** Executor name. */
  name: string;
  /** The journeys it runs. */
  journeys: string[];
  /** Iterations/s in each bucket. */
  rates: number[];
  /** VUs allocated up front. */
  preAllocatedVUs: number;
  /** VUs it may grow to. */
  maxVUs: number;
}

/** A derived scenario, ready to render. */
export interface DerivedScenario {
  /** Scenario name. */
  name: string;
  /** One-line description. */
  description: string;
  /** The profile it came from. */
  profile: TrafficProfile;
  /** Options it was derived with. */
  options: Required<Omit<DeriveOptions, 'name'>>;
  /** Each bucket's length once compressed, ms. */
  bucketMs: number[];
  /** The executors: one per journey without sessions (each route keeps its own rate over time), one for all with. */
  executors: DerivedExecutor[];
  /** Peak iterations/s of all executors together. */
  peakRate: number;
  /** Requests per iteration (1 without sessions). */
  requestsPerIteration: number;
  /** Feeders by name. */
  feeders: DerivedFeeder[];
  /** Journeys. */
  journeys: DerivedJourney[];
  /** Failure-rate threshold inferred from the source (rate of 5xx answers, doubled, at least 1%). */
  failedRateThreshold: number;
  /** What was inferred and how, one line each (the file's header). */
  notes: string[];
}

const DEFAULTS: Required<Omit<DeriveOptions, 'name'>> = {
  speedup: 1,
  rateScale: 1,
  ids: 'empirical',
  minSpans: 1000,
  maxJourneys: 20,
  maxQueryShapes: 5,
  maxUnmatchedPaths: 5,
};

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

/** An identifier from free text: `GET /listings/:id` → `get_listings_id`, `getListingsId` → `get_listings_id`. */
export function slug(text: string): string {
  const s = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[a-z_]/.test(s) ? s || 'root' : `r_${s}`;
}

/** Path parameter names of a route template: Fastify/Express `:id` and OpenAPI `{id}` segments. */
export function routeParams(route: string): string[] {
  return [...route.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g)].map(
    (m) => m[1] ?? m[2],
  );
}

/** A regular expression that matches a path of the route and captures its parameters. */
function routeMatcher(route: string): RegExp {
  let pattern = '';
  let last = 0;
  for (const m of route.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_.-]*)\}|\*/g)) {
    pattern += route.slice(last, m.index).replace(/[.+?^$()[\]\\|]/g, '\\$&');
    pattern += m[0] === '*' ? '(?:.*)' : '([^/]+)';
    last = m.index + m[0].length;
  }
  pattern += route.slice(last).replace(/[.+?^$()[\]\\|]/g, '\\$&');
  return new RegExp(`^${pattern}/?$`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Groups the route's observed paths into rows of parameter values. */
function pathFeeder(route: RouteProfile, name: string): DerivedFeeder | undefined {
  const params = routeParams(route.route);
  if (params.length === 0) return undefined;
  const matcher = routeMatcher(route.route);
  const rows = new Map<string, { values: string[]; count: number }>();
  let total = 0;
  for (const p of route.paths) {
    const m = matcher.exec(p.value);
    if (!m) continue;
    const values = m.slice(1, params.length + 1).map(safeDecode);
    const key = values.join('\u0000');
    const row = rows.get(key) ?? { values, count: 0 };
    row.count += p.count;
    rows.set(key, row);
    total += p.count;
  }
  if (rows.size === 0) return undefined;
  const entries = [...rows.values()].sort((a, b) => b.count - a.count);
  return {
    name,
    columns: params.map(slug),
    entries,
    coverage: route.sampled > 0 ? Math.min(1, total / route.sampled) : 1,
  };
}

/** One query-string shape of a route: parameter names, and the share of requests with it. */
interface QueryShape {
  names: string[];
  share: number;
  feeder: DerivedFeeder;
}

function queryShapes(route: RouteProfile, baseName: string, maxShapes: number): QueryShape[] {
  if (route.queries.length === 0 || route.sampled === 0) return [];
  const bySignature = new Map<
    string,
    { names: string[]; rows: Map<string, { values: string[]; count: number }>; count: number }
  >();
  let total = 0;
  for (const q of route.queries) {
    const params = new URLSearchParams(q.value);
    const names = [...params.keys()];
    if (names.length === 0) continue;
    const signature = names.join('&');
    let shape = bySignature.get(signature);
    if (!shape) {
      shape = { names, rows: new Map(), count: 0 };
      bySignature.set(signature, shape);
    }
    const values = [...params.values()];
    const key = values.join('\u0000');
    const row = shape.rows.get(key) ?? { values, count: 0 };
    row.count += q.count;
    shape.rows.set(key, row);
    shape.count += q.count;
    total += q.count;
  }
  if (total === 0) return [];
  const withQueryShare = route.withQuery / route.sampled;
  const shapes = [...bySignature.values()].sort((a, b) => b.count - a.count).slice(0, maxShapes);
  const kept = shapes.reduce((s, x) => s + x.count, 0);
  return shapes.map((shape, i) => ({
    names: shape.names,
    // The shapes kept share all requests that had a query, in their observed proportions.
    share: (withQueryShare * shape.count) / kept,
    feeder: {
      name: `${baseName}_q${i + 1}`,
      columns: uniqueNames(shape.names.map(slug)),
      entries: [...shape.rows.values()].sort((a, b) => b.count - a.count),
      coverage: shape.count / total,
    },
  }));
}

/** The variants of one route: its path template with feeders, with and without query shapes. */
interface RouteVariant {
  step: DerivedStep;
  /** Share of the route's requests. */
  share: number;
}

function expectedStatuses(route: RouteProfile): number[] {
  const floor = route.requests * 0.001;
  return Object.entries(route.statuses)
    .map(([s, n]) => [Number(s), n] as const)
    .filter(([s, n]) => s > 0 && s < 500 && n >= floor)
    .map(([s]) => s)
    .sort((a, b) => a - b);
}

function routeVariants(
  route: RouteProfile,
  base: string,
  opts: Required<Omit<DeriveOptions, 'name'>>,
  feeders: DerivedFeeder[],
): RouteVariant[] {
  const method = (METHODS as readonly string[]).includes(route.method) ? (route.method as HttpMethod) : 'GET';
  const key = routeKey(route.method, route.route);
  const expected = expectedStatuses(route);
  const body =
    ['POST', 'PUT', 'PATCH'].includes(method) && route.bodyBytes ? { bodyBytes: route.bodyBytes } : {};
  if (route.route === '') {
    // No route matched these requests (404s, probes): replay the most frequent literal paths.
    const top = route.paths.slice(0, opts.maxUnmatchedPaths);
    const total = top.reduce((s, p) => s + p.count, 0);
    if (total === 0) return [];
    return top.map((p, i) => ({
      share: p.count / total,
      step: {
        name: `${base}unmatched_${i + 1}`,
        method,
        route: key,
        path: p.value,
        expectedStatuses: expected,
        ...body,
      },
    }));
  }
  let path = route.route;
  const pf = pathFeeder(route, base);
  if (pf) {
    if (opts.ids === 'zipf') pf.zipf = fitZipf(pf.entries.map((e) => e.count));
    feeders.push(pf);
    const params = routeParams(route.route);
    params.forEach((p, i) => {
      path = path.replace(
        new RegExp(`:${p}(?![A-Za-z0-9_])|\\{${p.replace(/[.-]/g, '\\$&')}\\}`),
        `{{${pf.name}.${pf.columns[i]}}}`,
      );
    });
  }
  const shapes = queryShapes(route, base, opts.maxQueryShapes);
  const variants: RouteVariant[] = [];
  const withoutQuery = 1 - shapes.reduce((s, x) => s + x.share, 0);
  if (withoutQuery > 1e-9)
    variants.push({
      share: withoutQuery,
      step: { name: base, method, route: key, path, expectedStatuses: expected, ...body },
    });
  shapes.forEach((shape, i) => {
    feeders.push(shape.feeder);
    const query = shape.names
      .map((n, j) => `${encodeURIComponent(n)}={{${shape.feeder.name}.${shape.feeder.columns[j]}}}`)
      .join('&');
    variants.push({
      share: shape.share,
      step: {
        name: shapes.length + (withoutQuery > 1e-9 ? 1 : 0) > 1 ? `${base}_q${i + 1}` : base,
        method,
        route: key,
        path: `${path}?${query}`,
        expectedStatuses: expected,
        ...body,
      },
    });
  });
  return variants;
}

/** Names made unique by a numeric suffix on repeats (`id`, `id_2`). */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n}_${k}`;
  });
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Derives a scenario model from recorded traffic; refuses a window with too few spans. */
export function deriveScenario(profile: TrafficProfile, options: DeriveOptions = {}): DerivedScenario {
  const opts = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as Required<DeriveOptions>;
  const sel = profile.selection;
  if (profile.spans < opts.minSpans) {
    throw new ScenarioError(
      'MB_ERR_SCENARIO_DERIVE_SPANS',
      `the window has ${profile.spans} server span(s) of service "${sel.service}" between ${new Date(sel.fromMs).toISOString()} and ${new Date(sel.toMs).toISOString()}${sel.environment ? ` in environment "${sel.environment}"` : ''}; deriving a scenario needs at least ${opts.minSpans} (--min-spans)`,
    );
  }
  if (!(opts.speedup > 0) || !(opts.rateScale > 0)) {
    throw new ScenarioError('MB_ERR_SCENARIO_NUMBER', '--speedup and --rate-scale must be positive numbers');
  }
  const feeders: DerivedFeeder[] = [];
  const variantsByRoute = new Map<string, RouteVariant[]>();
  // Route slugs, made unique: they name the feeders and the journeys.
  const bases = uniqueNames(profile.routes.map((r) => slug(routeKey(r.method, r.route))));
  profile.routes.forEach((route, i) => {
    variantsByRoute.set(routeKey(route.method, route.route), routeVariants(route, bases[i], opts, feeders));
  });

  const journeys: DerivedJourney[] = [];
  const notes: string[] = [];
  let requestsPerIteration = 1;
  const sessions = profile.sessions;
  if (sessions && sessions.patterns.length > 0) {
    // Sample units: the session sample's requests stand for the window's spans with a session.
    const unit = sessions.requests / Math.max(1, sessions.spansWithAttribute);
    const kept = sessions.patterns.slice(0, opts.maxJourneys);
    const keptRequests = new Map<string, number>();
    kept.forEach((p, i) => {
      const steps: DerivedStep[] = p.steps.map((key, j) => {
        const variants = variantsByRoute.get(key) ?? [];
        // A session step takes its route's most frequent variant (query shape).
        const main = [...variants].sort((a, b) => b.share - a.share)[0]?.step;
        const step: DerivedStep = main
          ? { ...main }
          : {
              name: slug(key),
              method: 'GET',
              route: key,
              path: key.slice(key.indexOf(' ') + 1),
              expectedStatuses: [],
            };
        if (j < p.gapsMs.length) step.thinkMs = Math.round(p.gapsMs[j] / opts.speedup);
        keptRequests.set(key, (keptRequests.get(key) ?? 0) + p.count);
        return step;
      });
      journeys.push({ name: `session_${i + 1}`, weight: p.count, steps });
    });
    let residualRequests = 0;
    for (const route of profile.routes) {
      const key = routeKey(route.method, route.route);
      const residual = Math.max(0, route.requests * unit - (keptRequests.get(key) ?? 0));
      if (residual <= 0) continue;
      for (const v of variantsByRoute.get(key) ?? []) {
        journeys.push({
          name: `single_${v.step.name}`,
          weight: round(residual * v.share, 3),
          steps: [v.step],
        });
      }
      residualRequests += residual;
    }
    const keptSessions = kept.reduce((s, p) => s + p.count, 0);
    const keptSessionRequests = kept.reduce((s, p) => s + p.count * p.steps.length, 0);
    requestsPerIteration = (keptSessionRequests + residualRequests) / (keptSessions + residualRequests);
    notes.push(
      `sessions: ${sessions.sessions.toLocaleString('en-US')} sessions read by \`${sessions.attribute}\`; the ${kept.length} most frequent request sequences (${((100 * keptSessions) / sessions.sessions).toFixed(1)}% of sessions) are journeys with their median think times${opts.speedup !== 1 ? ` (÷${opts.speedup})` : ''}; the other requests are one-request journeys, so the route mix still adds up.`,
    );
  } else {
    for (const route of profile.routes) {
      for (const v of variantsByRoute.get(routeKey(route.method, route.route)) ?? []) {
        journeys.push({ name: v.step.name, weight: round(route.requests * v.share, 3), steps: [v.step] });
      }
    }
    notes.push(
      'sessions: no `session.id` or `enduser.id` span attribute, so every request is an independent iteration.',
    );
  }
  const positive = journeys.filter((j) => j.weight > 0);

  const widths = profile.buckets.map((_, i) => bucketWidth(profile, i));
  const bucketMs = widths.map((w) => Math.max(1, Math.round((w * 1000) / opts.speedup)));
  const medianMs = new Map(profile.routes.map((r) => [routeKey(r.method, r.route), r.medianMs]));
  const iterationMs = (j: DerivedJourney) =>
    j.steps.reduce((s, st) => s + (medianMs.get(st.route) ?? 0) + (st.thinkMs ?? 0), 0);
  // Little's law, with room for latency to grow under load.
  const vus = (peak: number, ms: number, floor: number) => {
    const pre = Math.ceil((peak * Math.max(ms, 50) * 2) / 1000) + floor;
    return { preAllocatedVUs: pre, maxVUs: Math.max(pre * 4, pre + 10 * floor) };
  };
  const executors: DerivedExecutor[] = [];
  if (sessions && sessions.patterns.length > 0) {
    const rates = profile.buckets.map((count, i) =>
      widths[i] > 0 ? round(((count / widths[i]) * opts.rateScale) / requestsPerIteration) : 0,
    );
    const totalWeight = positive.reduce((s, j) => s + j.weight, 0) || 1;
    const meanMs = positive.reduce((s, j) => s + j.weight * iterationMs(j), 0) / totalWeight;
    executors.push({
      name: 'traffic',
      journeys: positive.map((j) => j.name),
      rates,
      ...vus(Math.max(...rates), meanMs, 10),
    });
  } else {
    // One executor per journey: each route keeps its recorded rate in every bucket, so the route
    // mix is the recorded one by construction (no sampling noise), minute by minute.
    const byRoute = new Map(profile.routes.map((r) => [routeKey(r.method, r.route), r]));
    for (const route of profile.routes) {
      for (const v of variantsByRoute.get(routeKey(route.method, route.route)) ?? []) {
        if (!positive.some((j) => j.name === v.step.name)) continue;
        const counts = byRoute.get(v.step.route)?.buckets ?? [];
        const rates = counts.map((c, i) =>
          widths[i] > 0 ? round((c * v.share * opts.rateScale) / widths[i]) : 0,
        );
        executors.push({
          name: v.step.name,
          journeys: [v.step.name],
          rates,
          ...vus(Math.max(...rates), route.medianMs, 2),
        });
      }
    }
  }
  const peakRate = round(
    Math.max(0, ...profile.buckets.map((_, i) => executors.reduce((s, e) => s + e.rates[i], 0))),
  );

  const failed = profile.routes.reduce(
    (s, r) => s + Object.entries(r.statuses).reduce((t, [code, n]) => t + (Number(code) >= 500 ? n : 0), 0),
    0,
  );
  const failedRateThreshold = round(Math.max(0.01, (2 * failed) / profile.spans), 4);

  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const idFeeders = feeders.filter((f) => !/_q\d+$/.test(f.name));
  notes.unshift(
    `route mix: ${profile.routes.length} routes (http.request.method and http.route), weighted by their server spans.`,
    `rate: ${profile.buckets.length} buckets of ${profile.bucketSeconds} s as ramping-arrival-rate stages (a 0 s jump to each bucket's rate, then a hold)${executors.length > 1 ? ', one executor per route, so each route keeps its own rate in every bucket' : ''}, compressed ${opts.speedup}× in time and not in rate${opts.rateScale !== 1 ? `, scaled ${opts.rateScale}×` : ''}; peak ${peakRate.toFixed(1)} iterations/s${requestsPerIteration !== 1 ? ` (${requestsPerIteration.toFixed(2)} requests each)` : ''}.`,
    idFeeders.length === 0
      ? 'path parameters: none of the routes has one.'
      : opts.ids === 'zipf'
        ? `path parameters: a Zipf law fitted per route to the observed popularity of its ${idFeeders.map((f) => `${f.entries.length}`).join('/')} most requested ids (exponents ${idFeeders.map((f) => f.zipf?.exponent.toFixed(2)).join(', ')}; total variation to the observed shares ${idFeeders.map((f) => f.zipf?.distance.toFixed(3)).join(', ')}).`
        : `path parameters: the most requested values per route in their observed proportions (covering ${idFeeders.map((f) => pct(f.coverage)).join(', ')} of each route's requests; rarer values are left out).`,
    feeders.length > idFeeders.length
      ? 'query strings: the most frequent parameter shapes per route (`url.query`), with their observed values in proportion.'
      : 'query strings: none recorded (spans without `url.query`).',
    profile.routes.some((r) => r.bodyBytes !== undefined)
      ? 'bodies: spans hold no bodies, only `http.request.body.size`: write requests send JSON padding of the median observed size; replace it with real payloads.'
      : 'bodies: spans record no `http.request.body.size`; write requests are sent without a body; add real payloads.',
    'statuses: the statuses below 500 seen on a route are its expected responses (k6 expected_response); 5xx never are.',
  );
  return {
    name: options.name ?? `derived-${slug(sel.service).replace(/_/g, '-')}`,
    description: `${sel.service} traffic of ${new Date(sel.fromMs).toISOString()} to ${new Date(sel.toMs).toISOString()} (${profile.spans.toLocaleString('en-US')} server spans)${opts.speedup !== 1 ? `, ${opts.speedup}× faster` : ''}${opts.rateScale !== 1 ? `, at ${opts.rateScale}× the rate` : ''}.`,
    profile,
    options: opts,
    bucketMs,
    executors,
    peakRate,
    requestsPerIteration,
    feeders,
    journeys: positive,
    failedRateThreshold,
    notes,
  };
}

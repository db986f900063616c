// Writes a DerivedScenario as a scenario file that runs as it is (`marketbench run FILE.ts`):
// a header stating the source window, the span count and what was inferred and how, a
// `derivedFrom` export that `scenario compare` reads, then feeders, journeys and options as
// plain data. It imports only types, so it runs wherever it is saved.

import type { DerivedScenario, DerivedStep } from './deriveScenario.ts';

/** Rows a weighted feeder expands to: a value's share is resolved to 1/ROWS. */
export const WEIGHTED_FEEDER_ROWS = 2000;

/** A JavaScript literal in the house style: single-quoted strings, spaced arrays. */
function q(v: unknown): string {
  if (typeof v === 'string')
    return `'${JSON.stringify(v).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(q).join(', ')}]`;
  return JSON.stringify(v);
}

/** An array literal of numbers wrapped at `width` columns after `indent`. */
function wrapArray(values: readonly number[], indent: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const v of values) {
    const item = `${v},`;
    if (line && indent.length + line.length + 1 + item.length > width) {
      lines.push(indent + line);
      line = item;
    } else line = line ? `${line} ${item}` : item;
  }
  if (line) lines.push(indent + line);
  return `[\n${lines.join('\n')}\n]`;
}

/** Text as `//` comment lines of at most `width` columns. */
export function wrapComment(text: string, width = 100, prefix = '// '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(prefix + line);
  return lines;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function renderStep(step: DerivedStep, indent: string): string {
  const parts = [`name: ${q(step.name)}`, `method: ${q(step.method)}`, `path: ${q(step.path)}`];
  if (step.bodyBytes !== undefined)
    parts.push(`body: { pad: ${q('x'.repeat(Math.max(0, step.bodyBytes - 10)))} }`);
  if (step.expectedStatuses.length > 0) parts.push(`expectedStatuses: ${q(step.expectedStatuses)}`);
  if (step.thinkMs !== undefined && step.thinkMs > 0) parts.push(`think: ${q(formatMs(step.thinkMs))}`);
  parts.push('stopOnFailure: false');
  return `${indent}{\n${parts.map((p) => `${indent}  ${p},`).join('\n')}\n${indent}}`;
}

/** The scenario file's source text. `command` is the command line that produced it. */
export function renderScenario(d: DerivedScenario, command: string): string {
  const p = d.profile;
  const sel = p.selection;
  const hours = (sel.toMs - sel.fromMs) / 3_600_000;
  const out: string[] = [];
  out.push(
    `// ${d.name}: traffic derived from recorded server spans by \`marketbench scenario derive\`. Edit freely.`,
  );
  out.push(
    ...wrapComment(
      `Source: service "${sel.service}"${sel.environment ? `, environment "${sel.environment}"` : ''}${sel.runId ? `, load run ${sel.runId}` : ''}, ${new Date(sel.fromMs).toISOString()} to ${new Date(sel.toMs).toISOString()} (${hours >= 1 ? `${hours.toFixed(1)} h` : `${((sel.toMs - sel.fromMs) / 60_000).toFixed(1)} min`}); ${p.spans.toLocaleString('en-US')} server spans, counted from ${p.countSource === 'rollup' ? 'the per-minute rollup' : 'the spans'}; paths, queries, body sizes and sessions read from ${p.sampleFraction >= 1 ? 'all of them' : `a ${(100 * p.sampleFraction).toFixed(1)}% sample`}.`,
    ),
  );
  out.push('// What was inferred, and how:');
  for (const note of d.notes)
    out.push(
      ...wrapComment(`- ${note}`, 100, '//   ').map((l, i) => (i === 0 ? l.replace('//   - ', '// - ') : l)),
    );
  out.push(...wrapComment(`Made by: ${command}`));
  out.push('');
  out.push(
    `import type { ${d.feeders.length > 0 ? 'FeederSpec, ' : ''}RampingArrivalRate, ScenarioDefinition } from '@marketbench/load-scenarios';`,
  );
  out.push('');
  out.push('/** Where this scenario came from: `marketbench scenario compare` reads it. */');
  out.push('export const derivedFrom = {');
  out.push(`  service: ${q(sel.service)},`);
  if (sel.environment !== undefined) out.push(`  environment: ${q(sel.environment)},`);
  if (sel.runId !== undefined) out.push(`  runId: ${q(sel.runId)},`);
  out.push(`  from: ${q(new Date(sel.fromMs).toISOString())},`);
  out.push(`  to: ${q(new Date(sel.toMs).toISOString())},`);
  out.push(`  spans: ${p.spans},`);
  out.push(`  bucketSeconds: ${p.bucketSeconds},`);
  out.push(`  speedup: ${d.options.speedup},`);
  out.push(`  rateScale: ${d.options.rateScale},`);
  out.push('};');
  out.push('');
  if (d.feeders.length > 0) {
    out.push(
      `/** A \`random\` feeder of ${WEIGHTED_FEEDER_ROWS} rows in which each value recurs in proportion to its weight. */`,
    );
    out.push('function weighted(columns: string[], entries: [string[], number][]): FeederSpec {');
    out.push('  const total = entries.reduce((s, [, w]) => s + w, 0);');
    out.push(`  const exact = entries.map(([, w]) => (w / total) * ${WEIGHTED_FEEDER_ROWS});`);
    out.push('  const counts = exact.map(Math.floor);');
    out.push('  // Largest remainder: the rows add up exactly and every share is as close as it can be.');
    out.push(`  let left = ${WEIGHTED_FEEDER_ROWS} - counts.reduce((s, n) => s + n, 0);`);
    out.push(
      '  for (const i of exact.map((_, i) => i).sort((a, b) => exact[b] - counts[b] - (exact[a] - counts[a]))) {',
    );
    out.push('    if (left-- <= 0) break;');
    out.push('    counts[i]++;');
    out.push('  }');
    out.push('  const rows = entries.flatMap(([values], i) =>');
    out.push(
      '    Array.from({ length: counts[i] }, () => Object.fromEntries(columns.map((c, j) => [c, values[j]]))),',
    );
    out.push('  );');
    out.push("  return { mode: 'random', rows };");
    out.push('}');
    out.push('');
    if (d.feeders.some((f) => f.zipf)) {
      out.push(
        '/** Values in rank order, weighted by a Zipf law with exponent `s`: rank r has weight r^-s. */',
      );
      out.push('function zipf(values: string[][], s: number): [string[], number][] {');
      out.push('  return values.map((v, i) => [v, (i + 1) ** -s]);');
      out.push('}');
      out.push('');
    }
    out.push('const feeders = {');
    for (const f of d.feeders) {
      const label = f.zipf
        ? `Zipf exponent ${f.zipf.exponent.toFixed(3)} over the ${f.entries.length} most requested values (total variation to the observed shares ${f.zipf.distance.toFixed(3)})`
        : `${f.entries.length} values with their observed counts, covering ${(100 * f.coverage).toFixed(1)}% of the requests`;
      out.push(`  /** ${label}. */`);
      if (f.zipf) {
        out.push(`  ${f.name}: weighted(${q(f.columns)}, zipf([`);
        for (const e of f.entries) out.push(`    ${q(e.values)},`);
        out.push(`  ], ${f.zipf.exponent.toFixed(4)})),`);
      } else {
        out.push(`  ${f.name}: weighted(${q(f.columns)}, [`);
        for (const e of f.entries) out.push(`    [${q(e.values)}, ${e.count}],`);
        out.push('  ]),');
      }
    }
    out.push('};');
    out.push('');
  }
  const full = d.bucketMs[0];
  const last = d.bucketMs[d.bucketMs.length - 1];
  out.push(
    `/** One bucket of ${p.bucketSeconds} s of the source, compressed ${d.options.speedup}× in time, ms. */`,
  );
  out.push(`const BUCKET_MS = ${full};`);
  if (last !== full) out.push('/** The last bucket is partial. */', `const LAST_BUCKET_MS = ${last};`);
  out.push('');
  out.push(
    d.executors.length > 1
      ? '/** Per executor (one per route): its journey, the VUs it may use, and its iterations/s in each bucket (× rate scale). */'
      : '/** The executor: its journeys, the VUs it may use, and its iterations/s in each bucket (× rate scale). */',
  );
  out.push(
    'const TRAFFIC: Record<string, { journeys: string[]; vus: [number, number]; rates: number[] }> = {',
  );
  for (const e of d.executors) {
    out.push(`  ${e.name}: {`);
    out.push(`    journeys: ${q(e.journeys)},`);
    out.push(`    vus: [${e.preAllocatedVUs}, ${e.maxVUs}],`);
    out.push(`    rates: ${wrapArray(e.rates, '      ').replace(/\n\]$/, '\n    ]')},`);
    out.push('  },');
  }
  out.push('};');
  out.push('');
  out.push("/** Holds each bucket's recorded rate: a 0 s jump to it, then the bucket's length. */");
  out.push('function replay({ journeys, vus, rates }: (typeof TRAFFIC)[string]): RampingArrivalRate {');
  out.push('  return {');
  out.push("    executor: 'ramping-arrival-rate',");
  out.push('    journeys,');
  out.push('    startRate: rates[0],');
  out.push("    timeUnit: '1s',");
  out.push('    stages: rates.flatMap((target, i) => [');
  out.push("      ...(i === 0 ? [] : [{ duration: '0s', target }]),");
  out.push(
    `      { duration: \`\${${last !== full ? 'i === rates.length - 1 ? LAST_BUCKET_MS : BUCKET_MS' : 'BUCKET_MS'}}ms\`, target },`,
  );
  out.push('    ]),');
  out.push('    preAllocatedVUs: vus[0],');
  out.push('    maxVUs: vus[1],');
  out.push('  };');
  out.push('}');
  out.push('');
  out.push('export default {');
  out.push("  apiVersion: 'marketbench/v1',");
  out.push(`  name: ${q(d.name)},`);
  out.push(`  description: ${q(d.description)},`);
  out.push('  options: {');
  out.push(
    '    scenarios: Object.fromEntries(Object.entries(TRAFFIC).map(([name, t]) => [name, replay(t)])),',
  );
  out.push('    thresholds: {');
  out.push(`      // Inferred: twice the source's share of 5xx answers, at least 1%.`);
  out.push(`      http_req_failed: [${q(`rate<${d.failedRateThreshold}`)}],`);
  out.push('    },');
  if (d.options.speedup !== 1) out.push(`    timeScale: ${d.options.speedup},`);
  out.push(`    tags: { suite: ${q(d.name)} },`);
  out.push('  },');
  if (d.feeders.length > 0) out.push('  feeders,');
  out.push('  journeys: {');
  for (const j of d.journeys) {
    out.push(`    ${j.name}: {`);
    out.push(`      weight: ${j.weight},`);
    out.push('      steps: [');
    for (const s of j.steps) out.push(`${renderStep(s, '        ')},`);
    out.push('      ],');
    out.push('    },');
  }
  out.push('  },');
  out.push('} satisfies ScenarioDefinition;');
  return `${out.join('\n')}\n`;
}

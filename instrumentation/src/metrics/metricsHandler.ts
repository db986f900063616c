// Serves one registry in the format the scraper asks for: OpenMetrics (with exemplars) when the
// Accept header names application/openmetrics-text, Prometheus text 0.0.4 otherwise. The registry
// itself is OpenMetrics (prom-client only renders exemplars there); the Prometheus text is derived
// from that rendering, so every metric is measured once and rendered either way.

import type { IncomingMessage, ServerResponse } from 'node:http';
import client from 'prom-client';
import type { MetricsRegistry as Registry } from '../types.ts';

/** Content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** True when an Accept header asks for OpenMetrics. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept?.includes('application/openmetrics-text') === true;
}

/** Converts prom-client's OpenMetrics rendering to Prometheus text: no exemplars, no EOF, counters named `*_total`. */
export function openMetricsToPrometheus(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '# EOF' || line === '') continue;
    if (line.startsWith('# ')) {
      // `# TYPE x counter` in OpenMetrics names the family; Prometheus names the sample (x_total).
      const m = /^# (HELP|TYPE) (\S+)( .*)?$/.exec(line);
      if (m && m[1] === 'TYPE' && m[3] === ' counter') {
        out.push(`# TYPE ${m[2]}_total counter`);
        continue;
      }
      if (m && m[1] === 'HELP') {
        out.push(line);
        continue;
      }
      if (line.startsWith('# UNIT')) continue;
      out.push(line);
      continue;
    }
    const ex = line.indexOf(' # {');
    out.push(ex >= 0 ? line.slice(0, ex) : line);
  }
  // HELP lines of counters must carry the same name as their TYPE line.
  for (let i = 0; i + 1 < out.length; i++) {
    const help = /^# HELP (\S+) (.*)$/.exec(out[i]);
    const type = /^# TYPE (\S+) counter$/.exec(out[i + 1]);
    if (help && type && type[1] === `${help[1]}_total`) out[i] = `# HELP ${type[1]} ${help[2]}`;
  }
  return `${out.join('\n')}\n`;
}

/** Renders the registry for a given Accept header; returns content type and body. */
export async function renderMetrics(
  registry: Registry,
  accept: string | undefined,
): Promise<{ contentType: string; body: string }> {
  const text = await registry.metrics();
  if (registry.contentType !== client.Registry.OPENMETRICS_CONTENT_TYPE) {
    return { contentType: registry.contentType, body: text };
  }
  if (wantsOpenMetrics(accept)) return { contentType: registry.contentType, body: text };
  return { contentType: PROMETHEUS_CONTENT_TYPE, body: openMetricsToPrometheus(text) };
}

/** node:http handler serving `registry`. */
export function createMetricsHandler(
  registry: Registry,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    renderMetrics(registry, req.headers.accept).then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(body);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`metrics collection failed: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  };
}

// The real HTTP client behind the `k6/http` shim: Node's fetch in a worker thread, called
// synchronously through synckit (k6's http.request blocks its VU; so does the shim).

import { runAsWorker } from 'synckit';

export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface WireResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  durationMs: number;
  error: string;
}

runAsWorker(async (req: WireRequest): Promise<WireResponse> => {
  const t0 = performance.now();
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? undefined,
    });
    const body = await res.text();
    return {
      status: res.status,
      body,
      headers: Object.fromEntries(res.headers),
      durationMs: performance.now() - t0,
      error: '',
    };
  } catch (err) {
    return { status: 0, body: '', headers: {}, durationMs: performance.now() - t0, error: String(err) };
  }
});

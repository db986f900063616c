// `k6/http` bound to a real HTTP client: request() sends the request with fetch in a worker
// thread and blocks until the answer (as k6's does), then returns a k6-shaped response.
// expectedStatuses() builds the responseCallback k6 uses for expected_response.

import { createSyncFn } from 'synckit';
import type { WireRequest, WireResponse } from './httpWorker.ts';
import { recorded } from './recorder.ts';

const send = createSyncFn<(req: WireRequest) => Promise<WireResponse>>(
  new URL('./httpWorker.ts', import.meta.url).pathname,
  { tsRunner: 'node' },
);

type StatusSpec = number | { min: number; max: number };

interface ExpectedStatuses {
  statuses: StatusSpec[];
}

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  responseCallback?: ExpectedStatuses;
}

function expectedStatuses(...statuses: StatusSpec[]): ExpectedStatuses {
  return { statuses };
}

function isExpected(status: number, cb: ExpectedStatuses): boolean {
  return cb.statuses.some((s) => (typeof s === 'number' ? s === status : status >= s.min && status <= s.max));
}

function request(method: string, url: string, body: string | null = null, params: Params = {}) {
  const headers = params.headers ?? {};
  const res = send({ method, url, headers, body });
  const expected =
    res.error === '' &&
    isExpected(res.status, params.responseCallback ?? expectedStatuses({ min: 200, max: 399 }));
  recorded.requests.push({
    method,
    url,
    headers,
    body,
    tags: params.tags ?? {},
    status: res.status,
    responseBody: res.body,
    expected,
  });
  return {
    status: res.status,
    body: res.body,
    headers: res.headers,
    error: res.error,
    error_code: res.error === '' ? 0 : 1000,
    timings: { duration: res.durationMs },
    json: () => JSON.parse(res.body),
  };
}

export default {
  request,
  put: (url: string, body: string | null, params?: Params) => request('PUT', url, body, params),
  get: (url: string, params?: Params) => request('GET', url, null, params),
  expectedStatuses,
};

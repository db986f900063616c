// What a script did under the k6 shims: requests with their responses, checks, metric samples and
// sleeps, for the tests to assert on.

/** One request the script sent and what it got back. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  tags: Record<string, string>;
  status: number;
  responseBody: string;
  /** k6's expected_response, from the request's responseCallback. */
  expected: boolean;
}

export const recorded = {
  requests: [] as RecordedRequest[],
  checks: [] as Array<{ name: string; pass: boolean; tags: Record<string, string> }>,
  metrics: [] as Array<{
    metric: string;
    type: string;
    value: number | boolean;
    tags: Record<string, string>;
  }>,
  sleeps: [] as number[],
};

/** Forgets everything recorded so far. */
export function resetRecorded(): void {
  recorded.requests.length = 0;
  recorded.checks.length = 0;
  recorded.metrics.length = 0;
  recorded.sleeps.length = 0;
}

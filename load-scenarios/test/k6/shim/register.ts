// Binds the k6 modules an exported script and marketbench's k6 runtime import (`k6`, `k6/http`,
// `k6/execution`, `k6/data`, `k6/metrics`) to the Node implementations beside this file, so the
// real scripts run under Node against a real server. Import this module before the script.

import { registerHooks } from 'node:module';

const SHIMS: Record<string, string> = {
  k6: 'k6.ts',
  'k6/http': 'http.ts',
  'k6/execution': 'execution.ts',
  'k6/data': 'data.ts',
  'k6/metrics': 'metrics.ts',
};

registerHooks({
  resolve(specifier, context, nextResolve) {
    const shim = SHIMS[specifier];
    if (shim) return { url: new URL(shim, import.meta.url).href, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});

// k6's __ENV: the test sets its values before running an iteration.
(globalThis as { __ENV?: Record<string, string> }).__ENV ??= {};

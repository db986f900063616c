// The target policy, tested without connecting anywhere: loopback always; a host that is not this
// machine only with both --allow-remote-target and the host in MARKETBENCH_ALLOWED_TARGETS.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkTarget,
  isAllowedTarget,
  isRemoteTarget,
  parseAllowedTargets,
} from '../../src/runner/targetUrl.ts';

const refused = (re: RegExp) => (err: Error & { code?: string }) =>
  err.code === 'MB_ERR_SCENARIO_TARGET' && re.test(err.message);

test('loopback targets pass with or without a policy', () => {
  for (const t of ['http://127.0.0.1:8080', 'http://localhost:1', 'https://[::1]:8443', 'http://127.9.9.9'])
    assert.equal(checkTarget(t), new URL(t).origin);
  assert.equal(isRemoteTarget('http://127.0.0.1:8080'), false);
  assert.equal(isRemoteTarget('https://staging.example.com'), true);
});

test('a remote target without --allow-remote-target is refused, whatever MARKETBENCH_ALLOWED_TARGETS says', () => {
  assert.throws(() => checkTarget('https://staging.example.com'), refused(/not a loopback address/));
  assert.throws(
    () => checkTarget('https://staging.example.com', { allowedTargets: ['staging.example.com'] }),
    refused(/--allow-remote-target/),
  );
});

test('--allow-remote-target alone is refused: the host must be listed', () => {
  assert.throws(
    () => checkTarget('https://staging.example.com', { allowRemote: true }),
    refused(/staging\.example\.com is not listed in MARKETBENCH_ALLOWED_TARGETS \(empty\)/),
  );
  assert.throws(
    () =>
      checkTarget('https://staging.example.com', { allowRemote: true, allowedTargets: ['api.example.com'] }),
    refused(/not listed/),
  );
});

test('both opt-ins together allow exactly the listed host', () => {
  const policy = {
    allowRemote: true,
    allowedTargets: parseAllowedTargets(
      ' staging.example.com, api.example.com:8443 https://10.0.0.7 *.perf.example.org',
    ),
  };
  assert.deepEqual(policy.allowedTargets, [
    'staging.example.com',
    'api.example.com:8443',
    'https://10.0.0.7',
    '*.perf.example.org',
  ]);
  assert.equal(checkTarget('https://staging.example.com/any/path', policy), 'https://staging.example.com');
  assert.equal(checkTarget('https://STAGING.example.com:9000', policy), 'https://staging.example.com:9000');
  assert.equal(checkTarget('https://api.example.com:8443', policy), 'https://api.example.com:8443');
  assert.equal(checkTarget('https://eu.perf.example.org', policy), 'https://eu.perf.example.org');
  assert.equal(checkTarget('http://10.0.0.7', policy), 'http://10.0.0.7');
  // A port in the list must match; a suffix is not the host; a wildcard needs a subdomain.
  assert.throws(() => checkTarget('https://api.example.com', policy), refused(/not listed/));
  assert.throws(() => checkTarget('https://evil-staging.example.com', policy), refused(/not listed/));
  assert.throws(() => checkTarget('https://staging.example.com.evil.net', policy), refused(/not listed/));
  assert.throws(() => checkTarget('https://perf.example.org', policy), refused(/not listed/));
});

test('a bare * never allows every host', () => {
  assert.equal(isAllowedTarget(new URL('https://anything.example.com'), ['*']), false);
  assert.equal(isAllowedTarget(new URL('https://anything.example.com'), ['']), false);
});

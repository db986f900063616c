// JUnit XML must be well-formed whatever the budget names hold: checked with a real XML parser
// (Chromium's DOMParser, which reports any well-formedness error as a <parsererror>), and the
// structure CI viewers read (counts, one testcase per budget, failure/skipped) checked on the DOM.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHROMIUM, launchChromium } from '../../../test-support/chromium.ts';
import { missingCommand, needs } from '../../../test-support/dependency.ts';
import { renderJUnit } from '../../src/gate/render/renderJUnit.ts';
import type { GateReport } from '../../src/gate/types.ts';

const hostile = 'step <a href="x">&amp; \'quoted\' ]]> \u0001\u0008 control \uFFFF end';
const report: GateReport = {
  runId: 'run-<1>',
  baseline: 'base & "file".json',
  budgetsName: hostile,
  verdict: 'fail',
  comparisons: [],
  notes: ['note with <tags> & ampersands'],
  results: [
    {
      kind: 'threshold',
      name: `http_req_duration{name:${hostile}} p(99)<300`,
      verdict: 'fail',
      observed: 412,
      unit: 'ms',
      limit: { operator: '<', value: 300 },
      observedText: 'p(99)=412 ms',
      limitText: 'p(99)<300',
      detail: '<b>bold</b>',
    },
    {
      kind: 'threshold',
      name: 'http_req_failed rate<0.01',
      verdict: 'pass',
      observed: 0,
      unit: 'ratio',
      limit: { operator: '<', value: 0.01 },
      observedText: 'rate=0',
      limitText: 'rate<0.01',
      detail: '1000 requests',
    },
    {
      kind: 'baseline',
      name: 'baseline p95 view_item',
      verdict: 'inconclusive',
      observed: 1,
      unit: 'ms',
      limit: { operator: '<=', value: 2 },
      observedText: 'Δ +1 ms',
      limitText: 'Δ ≤ +2 ms',
      detail: 'noisy: CI 3 ms > 2 ms',
    },
    {
      kind: 'slo',
      name: 'slo checkout no page alert',
      verdict: 'pass',
      observed: 0,
      unit: 'count',
      limit: { operator: '==', value: 0 },
      observedText: 'no page fired',
      limitText: 'no page',
      detail: '',
    },
  ],
};

test('JUnit XML parses in a real XML parser, with the counts and elements CI viewers read', async (t) => {
  if (!needs(t, missingCommand(CHROMIUM))) return;
  const xml = renderJUnit(report);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const parsed = (await page.evaluate(
      `(() => {
        const doc = new DOMParser().parseFromString(${JSON.stringify(xml)}, 'application/xml');
        const err = doc.getElementsByTagName('parsererror')[0];
        const suite = doc.querySelector('testsuite');
        return {
          error: err ? err.textContent : null,
          root: doc.documentElement.nodeName,
          tests: suite && suite.getAttribute('tests'),
          failures: suite && suite.getAttribute('failures'),
          skipped: suite && suite.getAttribute('skipped'),
          cases: [...doc.querySelectorAll('testcase')].map((c) => [c.getAttribute('classname'), c.getAttribute('name'), c.firstElementChild && c.firstElementChild.nodeName]),
          runId: doc.querySelector('property[name="run_id"]').getAttribute('value'),
        };
      })()`,
    )) as {
      error: string | null;
      root: string;
      tests: string;
      failures: string;
      skipped: string;
      cases: string[][];
      runId: string;
    };
    assert.equal(parsed.error, null);
    assert.equal(parsed.root, 'testsuites');
    assert.deepEqual([parsed.tests, parsed.failures, parsed.skipped], ['4', '1', '1']);
    assert.equal(parsed.cases.length, 4);
    assert.deepEqual(
      parsed.cases.map((c) => [c[0], c[2]]),
      [
        ['marketbench.gate.threshold', 'failure'],
        ['marketbench.gate.threshold', 'system-out'],
        ['marketbench.gate.baseline', 'skipped'],
        ['marketbench.gate.slo', 'system-out'],
      ],
    );
    // names survive escaping (control characters become U+FFFD, the rest round-trips)
    assert.ok(parsed.cases[0][1].includes('<a href="x">&amp; \'quoted\' ]]>'));
    assert.equal(parsed.runId, 'run-<1>');
  } finally {
    await browser.close();
  }
});

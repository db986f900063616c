// Headless Chromium for tests that render HTML or parse XML the way a browser does: the Debian
// binary, launched with networking and background services off (tests stay offline).

import type { Browser } from 'playwright-core';

/** Path of the Chromium binary the tests use (pass to `missingCommand` before launching). */
export const CHROMIUM = '/usr/bin/chromium';

/** Launches headless Chromium with no network side channels; close the browser in `finally`. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

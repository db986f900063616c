// Headless Chromium for tests that render HTML or parse XML the way a browser does: the Debian
// binary, launched with networking and background services off (tests stay offline).

import type { Browser, Page } from 'playwright-core';

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

/**
 * Painted pixels (alpha > 0) of the canvas inside each `.chart` element of the page, in document
 * order: a chart that drew nothing has 0.
 */
export async function paintedPixelsPerChart(page: Page): Promise<number[]> {
  return (await page.evaluate(`[...document.querySelectorAll('.chart')].map((el) => {
    const c = el.querySelector('canvas');
    if (!c) return 0;
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0 || c.height === 0) return 0;
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
    return n;
  })`)) as number[];
}

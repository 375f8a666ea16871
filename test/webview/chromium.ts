// Real Chromium for the webview tests and the timeline benchmark: Debian's /usr/bin/chromium
// (installed by scripts/setup-chromium.mjs, which this runs first), driven by playwright-core,
// headless, with a fresh profile and without the background networking that would otherwise
// keep trying the (closed) network.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { BrowserContext, BrowserType } from 'playwright-core';

// Loaded from node_modules at run time, not bundled: the benchmark runner bundles its files whole,
// and playwright-core reads files of its own package (browsers.json) next to its code.
const { chromium } = createRequire(join(process.cwd(), 'package.json'))('playwright-core') as { chromium: BrowserType };

export const CHROMIUM = process.env.MIGTRACE_CHROMIUM ?? '/usr/bin/chromium';

export function setupChromium(): void {
  const r = spawnSync(process.execPath, ['scripts/setup-chromium.mjs'], { encoding: 'utf8', timeout: 1_200_000 });
  if (r.status !== 0) throw new Error(`scripts/setup-chromium.mjs could not provide Chromium: ${r.stderr}`);
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launch(viewport = { width: 1400, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'migtrace-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    deviceScaleFactor: 1,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

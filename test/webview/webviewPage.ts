// The timeline webview as VS Code shows it, in a real Chromium: the page the extension builds
// (extension/timeline/webviewHtml.ts, strict CSP and all) served from a stand-in resource origin,
// the real bundle (dist/timeline.js), and VS Code's side of the webview API
// (acquireVsCodeApi: postMessage, getState, setState) recording what the page posts. Data
// reaches the page as the host sends it: a message with the timeline's buffers. Every request
// outside the resource origin is refused and recorded.

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { webviewHtml } from '../../extension/timeline/webviewHtml';
import type { PackedTimeline } from '../../engine/trace/timelineData';

export const ORIGIN = 'https://webview.test';
const NONCE = 'bWlndHJhY2UtdGVzdC1ub25jZQ==';

export interface WebviewPage {
  page: Page;
  /** requests the page made outside the resource origin (all refused) */
  foreign: string[];
  /** console errors and page errors */
  errors: string[];
  /** send the host's message to the page */
  post(message: unknown): Promise<void>;
  /** the timeline, as the host sends it */
  load(p: PackedTimeline): Promise<void>;
  /** what the page posted to the host */
  posted(): Promise<unknown[]>;
}

/** `state`: what getState() returns until the page saves one; as in VS Code, undefined by default. */
export async function openWebview(context: BrowserContext, state: unknown = undefined): Promise<WebviewPage> {
  const page = await context.newPage();
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  const html = webviewHtml({ cspSource: ORIGIN, nonce: NONCE, scriptUri: `${ORIGIN}/dist/timeline.js`, styleUri: `${ORIGIN}/dist/timeline.css` });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === `${ORIGIN}/index.html`) return route.fulfill({ contentType: 'text/html', body: html });
    if (url === `${ORIGIN}/dist/timeline.js`) return route.fulfill({ contentType: 'text/javascript', body: readFileSync('dist/timeline.js') });
    if (url === `${ORIGIN}/dist/timeline.css`) return route.fulfill({ contentType: 'text/css', body: readFileSync('dist/timeline.css') });
    foreign.push(url);
    return route.abort();
  });
  await page.addInitScript((initial) => {
    const w = window as unknown as Record<string, unknown>;
    w.__posted = [];
    w.__state = initial === null ? undefined : initial;
    w.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => (w.__posted as unknown[]).push(JSON.parse(JSON.stringify(m))),
      getState: () => w.__state,
      setState: (s: unknown) => {
        w.__state = JSON.parse(JSON.stringify(s));
      },
    });
  }, state ?? null);
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction(() => ((window as unknown as { __posted: { type: string }[] }).__posted ?? []).some((m) => m.type === 'ready'));
  return {
    page,
    foreign,
    errors,
    post: (message) => page.evaluate((m) => window.postMessage(m, '*'), message),
    async load(p) {
      // over the DevTools protocol the buffers go as text: gzip'd and base64'd, unpacked in the page
      const b64 = p.buffers.map((b) => gzipSync(new Uint8Array(b), { level: 1 }).toString('base64'));
      await page.evaluate(async ({ meta, b64 }) => {
        const buffers = await Promise.all(b64.map((s) => {
          const bin = atob(s);
          const u = new Uint8Array(bin.length);
          for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
          return new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
        }));
        window.postMessage({ type: 'load', data: { ...meta, buffers } }, '*', buffers);
      }, { meta: { layout: p.layout, metas: p.metas, divergence: p.divergence }, b64 });
      await page.waitForFunction(() => document.body.dataset.migtraceState === 'painted' || document.body.dataset.migtraceState === 'error');
    },
    posted: () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted),
  };
}

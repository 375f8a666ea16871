// `migtrace report` through the shipped CLI, opened offline in a real Chromium from file://, with
// every other request refused and recorded: it makes none, logs no error, and shows the same
// timeline (lanes drawn, zoom, hover, range tables, search), the charts and the tables; text from
// the trace stays text.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launch, setupChromium, type Browser } from './chromium';
import { ARTIFACTS, cli, dir, record, seedsOf } from './traces';
import { at, frames, lane, rowColors, text, themeColors, view, xOf } from './probe';
import { readTraceFile } from '../../engine/cli/traceFile';

let browser: Browser;
let hang: string;

before(async () => {
  setupChromium();
  // a hang of multifd-sync-hang: its sync's lost post leaves the migration thread waiting for a channel
  hang = record('hang.migtrace', ['multifd-sync-hang', '--seed', String(seedsOf('multifd-sync-hang').hang)], 3);
  browser = await launch({ width: 1400, height: 1000 });
});

after(async () => {
  await browser?.close();
});

async function openReport(html: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  const self = `file://${resolve(html)}`;
  await page.route('**/*', (r) => {
    const url = r.request().url();
    if (url === self) return r.continue();
    requests.push(url);
    return r.abort();
  });
  await page.goto(self);
  await page.waitForFunction(() => document.body.dataset.migtraceReport === 'ready' || document.querySelector('.mt-error') !== null, null, { timeout: 120_000 });
  await frames(page);
  return { page, requests, errors };
}

test('the report of a hang opens offline: no request, no error; the timeline, the charts and the tables are there', async () => {
  const out = join(dir, 'hang.report.html');
  const r = cli(['report', hang, '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote .*hang\.report\.html: model hang\.migtrace \(\d+ events\), \d+ bytes; it opens in any browser, offline/);
  const html = readFileSync(out, 'utf8');
  assert.equal(html.match(/<\/script>/g)?.length, 2, 'only the two script elements close');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; script-src 'nonce-[^']+'; style-src 'nonce-[^']+'; img-src data:/);
  assert.ok(!/\b(src|href)="https?:/.test(html), 'nothing remote');
  const { page, requests, errors } = await openReport(out);
  const t = readTraceFile(hang).trace;
  assert.deepEqual(requests, [], 'no request');
  assert.deepEqual(errors, [], 'no error');
  assert.match(await text(page, 'h1'), /^migtrace report: multifd-sync-hang$/);
  assert.match(await text(page, 'header.mt-head'), new RegExp(`hang \\(${t.hang!.kind}\\) at [\\d.]+ s`));
  // the timeline: lanes drawn (the vCPU lane found by the search box)
  await page.fill('input.mt-search', 'CPU 0');
  await page.click('.mt-results button[data-kind="thread"]');
  await frames(page);
  const th = await themeColors(page);
  const cpu = await lane(page, (l) => l.label === 'CPU 0/KVM');
  const row = await rowColors(page, cpu.y + 10);
  assert.ok((row[th.state[0]] ?? 0) > 300, 'states drawn');
  // charts in guestperf's manner, and the tables
  const figures = await page.$$eval('figure figcaption', (f) => f.map((x) => (x as HTMLElement).innerText));
  for (const f of ['Per dirty-bitmap sync (iteration): bytes remaining when it began', 'Per iteration: bytes transferred during it', 'Bandwidth (query-migrate ram.mbps)', 'Remaining (ram.remaining)']) assert.ok(figures.includes(f), `chart ${f}`);
  const body = await text(page, 'section.mt-tables');
  assert.match(body, /Outcome \(query-migrate\)/);
  assert.match(body, /ram\.dirty-sync-count\s+\d+/);
  assert.match(body, /Hang: model/);
  assert.ok(body.includes(t.hang!.summary));
  for (const link of t.hang!.chain) assert.ok(body.includes(link.because), `the chain: ${link.because}`);
  assert.match(body, /guest\.memory\s+16G/);
  assert.match(body, /bql\s+\d+\s+\d+/, 'the lock table');
  // the same interactions as the editor: zoom, hover, a range's tables; no "Replay to here" button but its launch configuration
  let v = await view(page);
  await page.focus('.mt-canvas-wrap');
  await page.keyboard.press('w');
  const v2 = await view(page);
  assert.ok(v2.v1 - v2.v0 < v.v1 - v.v0, 'W zooms');
  await page.keyboard.press('0');
  v = await view(page);
  await page.mouse.move(...at(v, xOf(v, t.hang!.time_ns), cpu.y + 8));
  await frames(page);
  assert.ok((await text(page, '.mt-tooltip')).startsWith(`hang: ${t.hang!.kind}\nat `), 'the hang marker, hovered');
  await page.mouse.move(...at(v, xOf(v, t.hang!.time_ns * 0.9), cpu.y + 8));
  await frames(page);
  assert.match(await text(page, '.mt-tooltip'), /CPU 0\/KVM: /);
  await page.mouse.click(...at(v, xOf(v, t.hang!.time_ns * 0.9), cpu.y + 8));
  assert.equal(await page.$('.mt-details button[data-action="replay"]'), null);
  assert.match(await text(page, '.mt-details code'), /"type":"migtrace","request":"launch","name":"Replay to here","trace":"hang\.migtrace","stopAtTime":\d+/);
  await page.mouse.move(...at(v, xOf(v, t.hang!.time_ns * 0.2), cpu.y + 8));
  await page.mouse.down();
  await page.mouse.move(...at(v, xOf(v, t.hang!.time_ns * 0.8), cpu.y + 8), { steps: 5 });
  await page.mouse.up();
  assert.match(await text(page, '.mt-details'), /locks in the range, by migration stage/);
  await page.fill('input.mt-search', 'ram_save_iterate');
  assert.match(await text(page, '.mt-results'), /ram_save_iterate [\d,]+ calls/);
  await page.screenshot({ path: join(ARTIFACTS, 'report-multifd-sync-hang.png'), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, []);
  await page.close();
});

test('a report of a trace whose scenario is markup: the markup is text, no element and no script come from it', async () => {
  const scenario = join(dir, 'evil-report.migscenario.json');
  writeFileSync(scenario, JSON.stringify({
    name: '</script><script>window.__pwned=1</script>',
    description: '"><img src=x onerror="window.__pwned=2"><style>body{display:none}</style>',
    guest: { memory: '1G', vcpus: 2, workload: { kind: 'specjbb', 'working-set': '128M', 'dirty-rate': 20000, stop: 3 } },
    migration: { profile: 'qemu-1.4', 'max-bandwidth': '1G', 'downtime-limit': 300 },
  }));
  const p = record('evil-report.migtrace', [scenario]);
  const out = join(dir, 'evil.report.html');
  assert.equal(cli(['report', p, '-o', out]).status, 0);
  const { page, requests, errors } = await openReport(out);
  assert.deepEqual(requests, []);
  assert.deepEqual(errors, []);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img, style:not([nonce]), script:not([nonce]):not(#migtrace-data)').length), 0);
  assert.equal(await text(page, 'h1'), 'migtrace report: </script><script>window.__pwned=1</script>');
  assert.ok((await text(page, 'section.mt-tables')).includes('"><img src=x onerror="window.__pwned=2"><style>body{display:none}</style>'));
  await page.close();
});

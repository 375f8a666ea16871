// Two traces on one time axis: a real QEMU migration (qemu-run, real QEMU from Debian's packages
// via scripts/setup-qemu.mjs) beside the model's run of the same scenario (run --compare), and a
// hanging seed of seed-stage3-hang beside a passing one; each with its first divergence marked,
// in the editor's view and in one report.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch, setupChromium, type Browser } from './chromium';
import { openWebview } from './webviewPage';
import { ARTIFACTS, cli, dir, hostTimeline, record, seedsOf, stopWorker } from './traces';
import { frames, rowColors, text, view, xOf } from './probe';
import { readTraceFile } from '../../engine/cli/traceFile';

let browser: Browser;
let real: string;
let model: string;

before(async () => {
  setupChromium();
  const q = spawnSync(process.execPath, ['scripts/setup-qemu.mjs'], { encoding: 'utf8', timeout: 900_000 });
  assert.equal(q.status, 0, `scripts/setup-qemu.mjs could not provide QEMU: ${q.stderr}`);
  real = join(dir, 'real.migtrace');
  const r = cli(['qemu-run', 'qtest-bootblock', '-o', real, '-q'], 180_000);
  assert.equal(r.status, 0, r.stderr);
  // The model of the same settings may now agree with the real run within the comparison's
  // tolerance (every sync within a tenth of the run: no divergence to mark), so the model runs at a
  // tenth of the bandwidth: its syncs come clearly later and the two must diverge.
  const c = cli(['run', 'qtest-bootblock', '--set', 'migration.max-bandwidth=100000000', '--compare', real, '-q']);
  assert.equal(c.status, 0, c.stderr);
  model = join(dir, 'real.model.migtrace');
  assert.ok(existsSync(model), 'run --compare writes the model trace beside the real one');
  browser = await launch();
});

after(async () => {
  await browser?.close();
  stopWorker();
});

test('a real qemu-run trace beside its model: both sections on one axis, the first divergence marked in each', async () => {
  const data = await hostTimeline([real, model]);
  const d = data.divergence!;
  assert.equal(d.kind, 'milestone');
  const w = await openWebview(browser.context);
  await w.load(data);
  await frames(w.page);
  assert.deepEqual(w.errors, []);
  const head = await text(w.page, 'header.mt-head');
  assert.match(head, /real: real\.migtrace · qtest-bootblock, 150\.0 MiB \/ 1 vCPU: a real QEMU migration \(QEMU emulator version/);
  assert.match(head, /model: real\.model\.migtrace · qtest-bootblock, 150\.0 MiB \/ 1 vCPU: seed 1/);
  assert.ok(head.includes(d.label), `the divergence is named: ${d.label}`);
  const v = await view(w.page);
  const sections = v.lanes.filter((l) => l.kind === 'section').map((l) => l.label);
  assert.deepEqual(sections, ['real', 'model']);
  assert.ok(v.lanes.some((l) => l.label === 'live_migration'), 'the real run\'s migration thread');
  assert.ok(v.lanes.some((l) => l.label === 'mig/src/main'), 'the model\'s');
  // the divergence line is dashed in the real section at its time
  const th = await w.page.evaluate(() => (window as any).migtrace.scene.theme.divergence.replace(/rgb\(|\)/g, ''));
  const x = Math.round(xOf(v, d.time_ns[0]));
  const realLanes = v.lanes.filter((l) => l.key.startsWith('0/'));
  let dashes = 0;
  for (let y = realLanes[1].y; y < realLanes[realLanes.length - 1].y + 10; y += 1) if (((await rowColors(w.page, y + 0.5, x - 1, x + 1))[th] ?? 0) > 0) dashes++;
  assert.ok(dashes > 20, `dashes of the divergence line at x=${x}: ${dashes}`);
  await w.page.screenshot({ path: join(ARTIFACTS, 'timeline-qtest-bootblock-real-beside-model.png') });
  await w.page.close();
});

test('the report of the pair: one file with both runs, offline', async () => {
  const out = join(dir, 'pair.report.html');
  const r = cli(['report', real, '--compare', model, '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /real real\.migtrace \(\d+ events\) beside model real\.model\.migtrace \(\d+ events\)/);
  const page = await browser.context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.route('**/*', (x) => (x.request().url() === `file://${resolve(out)}` ? x.continue() : (requests.push(x.request().url()), x.abort())));
  await page.goto(`file://${resolve(out)}`);
  await page.waitForFunction(() => document.body.dataset.migtraceReport === 'ready');
  assert.deepEqual(requests, []);
  assert.deepEqual(errors, []);
  assert.equal(await text(page, 'h1'), 'migtrace report: qtest-bootblock (real vs model)');
  assert.match(await text(page, 'section.mt-tables'), /real\s+model/);
  assert.deepEqual((await view(page)).lanes.filter((l) => l.kind === 'section').map((l) => l.label), ['real', 'model']);
  await page.close();
});

test('a hanging seed beside a passing one: the first differing event is marked, where the schedules split', async () => {
  const { hang: bad, pass: good } = seedsOf('multifd-sync-hang');
  assert.ok(good > 0, 'a passing seed');
  const a = record('bad.migtrace', ['multifd-sync-hang', '--seed', String(bad)], 3);
  const b = record('good.migtrace', ['multifd-sync-hang', '--seed', String(good)]);
  // the first differing event, from the two traces' events
  const x = readTraceFile(a).trace.events;
  const y = readTraceFile(b).trace.events;
  let i = 0;
  while (i < Math.min(x.count, y.count) && x.time[i] === y.time[i] && x.kind[i] === y.kind[i] && x.a[i] === y.a[i] && x.b[i] === y.b[i] && x.c[i] === y.c[i]) i++;
  const data = await hostTimeline([a, b]);
  assert.equal(data.divergence!.kind, 'event');
  assert.match(data.divergence!.label, new RegExp(`^first divergence: event #${i}, after \\d+ identical scheduler decisions$`));
  assert.deepEqual(data.divergence!.time_ns, [x.time[i] - x.time[0], y.time[i] - y.time[0]]);
  const w = await openWebview(browser.context);
  await w.load(data);
  await frames(w.page);
  assert.ok((await text(w.page, 'header.mt-head')).includes(data.divergence!.label));
  assert.deepEqual((await view(w.page)).lanes.filter((l) => l.kind === 'section').map((l) => l.label), [`seed ${bad}`, `seed ${good}`]);
  await w.page.close();
});

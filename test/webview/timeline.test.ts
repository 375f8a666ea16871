// The timeline webview in a real Chromium, with real traces recorded through the shipped CLI and
// read by the extension's worker: lanes, stage bands and thread states drawn (read back from the
// canvas and held against the trace's own events), zoom and pan by keys and mouse, hover, click,
// "Replay to here", range selection with its tables, search, keyboard, following a debug session,
// state kept across a hidden tab. Screenshots go to .tmp/artifacts/timeline/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, setupChromium, type Browser } from './chromium';
import { openWebview, type WebviewPage } from './webviewPage';
import { ARTIFACTS, hostTimeline, record, seedsOf, stopWorker } from './traces';
import { at, frames, lane, rowColors, tOf, text, themeColors, TOP, TRACK_X, view, xOf } from './probe';
import { readTraceFile } from '../../engine/cli/traceFile';
import { EK } from '../../engine/trace/format';
import { fmtNs } from '../../media/format';
import type { PackedTimeline } from '../../engine/trace/timelineData';

let browser: Browser;
let jbb: string;
let jbbData: PackedTimeline;

before(async () => {
  setupChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  jbb = record('seed-specjbb-128g.migtrace', ['seed-specjbb-128g']);
  jbbData = await hostTimeline([jbb]);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  stopWorker();
});

async function opened(data: PackedTimeline, state: unknown = null): Promise<WebviewPage> {
  const w = await openWebview(browser.context, state);
  await w.load(data);
  await frames(w.page);
  return w;
}

/** Share of time thread `tid` spends in state `st` over the trace, from the trace's own events. */
function stateShare(path: string, tid: number, st: number): number {
  const t = readTraceFile(path).trace;
  const e = t.events;
  let cur = -1;
  let since = 0;
  let inSt = 0;
  let first = -1;
  let last = 0;
  for (let i = 0; i < e.count; i++) {
    last = e.time[i];
    if (e.a[i] !== tid || (e.kind[i] !== EK.THREAD_STATE && e.kind[i] !== EK.THREAD_CREATE)) continue;
    if (first < 0) first = e.time[i];
    if (cur === st) inSt += e.time[i] - since;
    cur = e.kind[i] === EK.THREAD_CREATE ? 1 : e.b[i] % 8;
    since = e.time[i];
  }
  if (cur === st) inSt += last - since;
  return inSt / (last - first);
}

/** The fraction of a lane's state strip (14 pixel rows) drawn in colour `c`. */
async function stripShare(w: WebviewPage, y0: number, c: string, x0 = TRACK_X, x1?: number): Promise<number> {
  let hit = 0;
  let all = 0;
  for (let y = y0; y < y0 + 14; y++) {
    const row = await rowColors(w.page, y, x0, x1);
    for (const [k, n] of Object.entries(row)) {
      all += n;
      if (k === c) hit += n;
    }
  }
  return hit / all;
}

test('a recorded trace loads: header, stage bands, counters, the BQL lane and every thread lane are drawn, and the vCPUs\' blocked share is what the trace says', async () => {
  const w = await opened(jbbData);
  assert.deepEqual(w.errors, [], 'no console errors');
  assert.deepEqual(w.foreign, [], 'no request outside the webview resources');
  const head = await text(w.page, 'header.mt-head');
  assert.match(head, /seed-specjbb-128g, 128\.01 GiB \/ 10 vCPUs: seed 1, random schedule, rfc-2012 design/);
  const sum = readTraceFile(jbb).trace.footer!.summary as { 'total-time': number; downtime: number };
  assert.ok(head.includes(`completed, total time ${sum['total-time']} ms, downtime ${sum.downtime} ms`), head);
  const v = await view(w.page);
  const labels = v.lanes.map((l) => l.label);
  for (const l of ['migration stages', 'remaining', 'transferred', 'bandwidth', 'dirty pages rate', 'cpu-throttle-percentage', 'mutex bql', 'main', 'migration', 'vCPUs (10)', 'CPU 0/KVM', 'CPU 9/KVM', 'dst main']) assert.ok(labels.includes(l), `lane ${l}`);
  const th = await themeColors(w.page);
  // stage bands: the iterations' colours fill the stage lane
  const st = await lane(w.page, (l) => l.kind === 'stages');
  const band = await rowColors(w.page, st.y + st.h / 2);
  const iter = (band[th.stage.iteration] ?? 0) + (band[(await w.page.evaluate(() => (window as any).migtrace.scene.theme.stageAlt)).replace(/rgb\(|\)/g, '')] ?? 0);
  assert.ok(iter > 0.8 * (v.width - TRACK_X), `iteration bands cover the run (${iter} px)`);
  // thread states: CPU 3/KVM's strip is green where it runs and red where it waits for the BQL,
  // in the proportions of its THREAD_STATE events
  const cpu3 = await lane(w.page, (l) => l.label === 'CPU 3/KVM');
  const tid = cpu3.tid!;
  const blocked = stateShare(jbb, tid, 2);
  const running = stateShare(jbb, tid, 0);
  assert.ok(blocked > 0.2, `the rfc-2012 design keeps vCPUs waiting on the BQL (${blocked})`);
  const x1 = xOf(v, readTraceFile(jbb).trace.footer!.end_ns) - 1;
  const red = await stripShare(w, cpu3.y + 3, th.state[2], TRACK_X, x1);
  const green = await stripShare(w, cpu3.y + 3, th.state[0], TRACK_X, x1);
  assert.ok(Math.abs(red - blocked) < 0.08, `red share ${red.toFixed(3)} vs blocked ${blocked.toFixed(3)}`);
  assert.ok(Math.abs(green - running) < 0.08, `green share ${green.toFixed(3)} vs running ${running.toFixed(3)}`);
  // the BQL lane: holds drawn along the run
  const bql = await lane(w.page, (l) => l.label === 'mutex bql');
  const holds = await rowColors(w.page, bql.y + 10);
  assert.ok((holds[th.bg] ?? 0) < 0.5 * (v.width - TRACK_X), 'BQL holds cover most of the run');
  await w.page.screenshot({ path: join(ARTIFACTS, 'timeline-seed-specjbb-128g.png') });
  const stats = await w.page.evaluate(() => (window as any).migtrace.frames.slice(-1)[0]);
  assert.ok(stats.rects <= (v.width - TRACK_X) * 60, `about a primitive per pixel column per track row (${stats.rects})`);
  await w.page.close();
});

test('zoom and pan by keys (W/S/A/D), ctrl+wheel at the pointer, the ruler dragged, the wheel scrolling lanes; 0 fits', async () => {
  const w = await opened(jbbData);
  await w.page.focus('.mt-canvas-wrap');
  let v = await view(w.page);
  const full = v.v1 - v.v0;
  await w.page.keyboard.down('w');
  await w.page.waitForTimeout(250);
  await w.page.keyboard.up('w');
  let v2 = await view(w.page);
  assert.ok(v2.v1 - v2.v0 < 0.8 * full, `W zooms in (${full} → ${v2.v1 - v2.v0})`);
  await w.page.keyboard.press('s');
  let v3 = await view(w.page);
  assert.ok(v3.v1 - v3.v0 > v2.v1 - v2.v0, 'S zooms out');
  // ctrl+wheel zooms at the pointer: the time under it stays under it
  const x = 800;
  const y = TOP + 40;
  v = await view(w.page);
  await w.page.mouse.move(...at(v, x, y));
  const under = tOf(v, x);
  await w.page.keyboard.down('Control');
  await w.page.mouse.wheel(0, -300);
  await w.page.keyboard.up('Control');
  await frames(w.page);
  v2 = await view(w.page);
  assert.ok(v2.v1 - v2.v0 < v.v1 - v.v0, 'ctrl+wheel up zooms in');
  assert.ok(Math.abs(xOf(v2, under) - x) < 1, 'the time under the pointer stays under it');
  // D pans right, A left
  v = await view(w.page);
  await w.page.keyboard.press('d');
  v2 = await view(w.page);
  assert.ok(v2.v0 > v.v0 && Math.abs(v2.v1 - v2.v0 - (v.v1 - v.v0)) < 1e-6 * (v.v1 - v.v0), 'D pans right, same width');
  await w.page.keyboard.press('a');
  v3 = await view(w.page);
  assert.ok(v3.v0 < v2.v0, 'A pans left');
  // dragging the ruler pans by what was dragged
  v = await view(w.page);
  await w.page.mouse.move(...at(v, 900, 12));
  await w.page.mouse.down();
  await w.page.mouse.move(...at(v, 700, 12), { steps: 4 });
  await w.page.mouse.up();
  v2 = await view(w.page);
  assert.ok(Math.abs(xOf(v, v2.v0) - (TRACK_X + 200)) < 2, 'the ruler dragged 200 px left shows 200 px further right');
  // the wheel scrolls the lanes
  await w.page.mouse.move(...at(v, 700, 400));
  await w.page.mouse.wheel(0, 200);
  await frames(w.page);
  assert.ok((await view(w.page)).scrollY > 0, 'the wheel scrolls');
  await w.page.keyboard.press('0');
  v = await view(w.page);
  assert.ok(v.v0 <= 0 && v.v1 >= readTraceFile(jbb).trace.footer!.end_ns, 'fit shows the whole run');
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

/** A wait of `name` on the BQL after `after_ns` lasting at least `min_ns`, from the trace's events. */
function bqlWait(path: string, name: string, after_ns: number, min_ns: number): { tid: number; start: number; end: number } {
  const t = readTraceFile(path).trace;
  const tid = t.threads.findIndex((x) => x.name === name);
  const bql = t.mutexes.indexOf('bql');
  const e = t.events;
  let start = -1;
  for (let i = 0; i < e.count; i++) {
    if (e.kind[i] !== EK.THREAD_STATE || e.a[i] !== tid) continue;
    if (start >= 0) {
      if (e.time[i] - start >= min_ns) return { tid, start, end: e.time[i] };
      start = -1;
    }
    if (e.time[i] > after_ns && e.b[i] === 2 + 8 * 1 && e.c[i] === bql + 1) start = e.time[i];
  }
  throw new Error(`no BQL wait of ${name}`);
}

test('hover names the span under the pointer; a click selects it; "Replay to here" and R post the launch request for its start', async () => {
  const w = await opened(jbbData);
  const wait = bqlWait(jbb, 'CPU 3/KVM', 100e9, 1e6);
  const d = wait.end - wait.start;
  await w.page.evaluate(([a, b]) => (window as any).migtrace.setView(a, b), [wait.start - d, wait.end + d]);
  await frames(w.page);
  const v = await view(w.page);
  const cpu3 = await lane(w.page, (l) => l.label === 'CPU 3/KVM');
  const x = xOf(v, (wait.start + wait.end) / 2);
  await w.page.mouse.move(...at(v, x, cpu3.y + 8));
  await frames(w.page);
  const tip = await text(w.page, '.mt-tooltip');
  assert.match(tip, /CPU 3\/KVM: blocked on mutex "bql"/);
  assert.ok(tip.includes(fmtNs(d)), `the tooltip gives the wait's duration ${fmtNs(d)}: ${tip}`);
  await w.page.mouse.click(...at(v, x, cpu3.y + 8));
  await frames(w.page);
  assert.match(await text(w.page, '.mt-details'), /CPU 3\/KVM: blocked on mutex "bql"/);
  await w.page.click('.mt-details button[data-action="replay"]');
  await w.page.focus('.mt-canvas-wrap');
  await w.page.keyboard.press('r');
  const posted = (await w.posted()).filter((m: any) => m.type === 'replayToHere');
  assert.deepEqual(posted, [{ type: 'replayToHere', trace: 0, time_ns: wait.start }, { type: 'replayToHere', trace: 0, time_ns: wait.start }]);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('dragging across the lanes selects a range; its tables count the BQL\'s acquisitions, contentions and waits, and each thread\'s time in each state', async () => {
  const w = await opened(jbbData);
  const cpu0 = await lane(w.page, (l) => l.label === 'CPU 0/KVM');
  let v = await view(w.page);
  await w.page.mouse.move(...at(v, xOf(v, 100e9), cpu0.y + 8));
  await w.page.mouse.down();
  await w.page.mouse.move(...at(v, xOf(v, 300e9), cpu0.y + 8), { steps: 6 });
  await w.page.mouse.up();
  await frames(w.page);
  const r = await w.page.evaluate(() => (window as any).migtrace.scene.range);
  assert.ok(r && r.t0 < r.t1);
  // the same counts, from the trace's events
  const t = readTraceFile(jbb).trace;
  const e = t.events;
  let acq = 0;
  let contended = 0;
  // a contention: an acquire its thread first had to wait for (LOCK_CONTEND before it)
  const waiting = new Set<number>();
  for (let i = 0; i < e.count; i++) {
    if (e.kind[i] === EK.LOCK_CONTEND) waiting.add(e.b[i]);
    if (e.kind[i] !== EK.LOCK_ACQUIRE) continue;
    const had = waiting.delete(e.b[i]);
    if (e.time[i] < r.t0 || e.time[i] >= r.t1) continue;
    acq++;
    if (had) contended++;
  }
  const rows = await w.page.$$eval('.mt-details table:first-of-type tbody tr', (trs) => trs.map((tr) => Array.from(tr.children, (c) => (c as HTMLElement).innerText)));
  const bql = rows.filter((row) => row[0] === 'bql');
  assert.ok(bql.length >= 1, JSON.stringify(rows));
  const sum = (k: number) => bql.reduce((n, row) => n + Number(row[k].replace(/,/g, '')), 0);
  assert.equal(sum(2), acq, 'acquisitions');
  assert.equal(sum(3), contended, 'contentions');
  assert.equal(bql[0][1], 'iteration 1', 'by stage');
  // CPU 0's blocked time in the range, from its state events
  const tid = t.threads.findIndex((x) => x.name === 'CPU 0/KVM');
  let cur = -1;
  let since = 0;
  let blocked = 0;
  for (let i = 0; i < e.count; i++) {
    if (e.a[i] !== tid || e.kind[i] !== EK.THREAD_STATE) continue;
    if (cur === 2) blocked += Math.max(0, Math.min(e.time[i], r.t1) - Math.max(since, r.t0));
    cur = e.b[i] % 8;
    since = e.time[i];
  }
  const threads = await w.page.$$eval('.mt-details table:nth-of-type(2) tbody tr', (trs) => trs.map((tr) => Array.from(tr.children, (c) => (c as HTMLElement).innerText)));
  const row = threads.find((x) => x[0] === 'CPU 0/KVM')!;
  assert.ok(row[3].startsWith(fmtNs(blocked)), `CPU 0/KVM blocked ${row[3]}, expected ${fmtNs(blocked)}`);
  // the range is drawn on the overlay
  v = await view(w.page);
  assert.ok(v.v0 < r.t0, 'the view did not move');
  await w.page.close();
});

test('search finds threads, functions and locks; Enter steps through a function\'s calls in time order', async () => {
  const w = await opened(jbbData);
  const t = readTraceFile(jbb).trace;
  const fn = t.functions.indexOf('ram_save_block');
  const e = t.events;
  const calls: number[] = [];
  for (let i = 0; i < e.count; i++) if (e.kind[i] === EK.FRAME_PUSH && e.b[i] === fn) calls.push(e.time[i]);
  await w.page.fill('input.mt-search', 'ram_save_bl');
  const results = await w.page.$$eval('.mt-results button', (bs) => bs.map((b) => (b as HTMLElement).innerText));
  assert.ok(results.some((r) => r.startsWith('ram_save_block') && r.includes(`${calls.length.toLocaleString('en-US')} calls`)), JSON.stringify(results));
  await w.page.press('input.mt-search', 'Enter');
  await frames(w.page);
  let v = await view(w.page);
  assert.ok(v.v0 < calls[0] && calls[0] < v.v1, 'the first call is in view');
  const mig = await lane(w.page, (l) => l.label === 'migration');
  assert.ok(mig.frames && mig.y >= TOP, 'its thread is in view with its frames');
  await w.page.press('input.mt-search', 'Enter');
  await frames(w.page);
  v = await view(w.page);
  assert.ok(v.v0 < calls[1] && calls[1] < v.v1, 'Enter again: the second call');
  await w.page.fill('input.mt-search', 'CPU 7');
  await w.page.click('.mt-results button[data-kind="thread"]');
  await frames(w.page);
  const cpu7 = await lane(w.page, (l) => l.label === 'CPU 7/KVM');
  assert.ok(cpu7.y >= TOP && cpu7.y + cpu7.h <= (await view(w.page)).height, 'the thread lane is brought into view');
  await w.page.fill('input.mt-search', 'bql');
  const holds = (await w.page.$$eval('.mt-results button[data-kind="lock"]', (bs) => bs.map((b) => (b as HTMLElement).innerText)))[0];
  let acq = 0;
  for (let i = 0; i < e.count; i++) if (e.kind[i] === EK.LOCK_ACQUIRE) acq++;
  assert.equal(holds, `mutex bql ${acq.toLocaleString('en-US')} holds`);
  await w.page.close();
});

test('keyboard: arrows move between lanes and the live region says which; Enter collapses the vCPUs into a summary lane of their states', async () => {
  const w = await opened(jbbData);
  await w.page.focus('.mt-canvas-wrap');
  let said = '';
  for (let i = 0; i < 40 && !said.startsWith('vCPUs (10)'); i++) {
    await w.page.keyboard.press('ArrowDown');
    said = await text(w.page, '.mt-live');
  }
  assert.match(said, /^vCPUs \(10\) \(group\), lane \d+ of \d+/);
  await w.page.keyboard.press('Enter');
  await frames(w.page);
  assert.match(await text(w.page, '.mt-live'), /vCPUs \(10\): collapsed/);
  const v = await view(w.page);
  assert.ok(!v.lanes.some((l) => l.label.startsWith('CPU ')), 'no vCPU lane left');
  const sum = v.lanes.find((l) => l.kind === 'summary')!;
  assert.equal(sum.label, '10 vCPUs: states');
  const th = await themeColors(w.page);
  let red = 0;
  let all = 0;
  for (let y = sum.y + 2; y < sum.y + sum.h - 2; y++) {
    const row = await rowColors(w.page, y + 0.5, TRACK_X, xOf(v, 530e9));
    for (const [k, n] of Object.entries(row)) {
      all += n;
      if (k === th.state[2]) red += n;
    }
  }
  const t = readTraceFile(jbb).trace;
  const cpus = t.threads.map((x, i) => [x, i] as const).filter(([x]) => x.role === 'vcpu').map(([, i]) => i);
  const blocked = cpus.reduce((s, tid) => s + stateShare(jbb, tid, 2), 0) / cpus.length;
  assert.ok(Math.abs(red / all - blocked) < 0.1, `the summary's red share ${(red / all).toFixed(3)} is the vCPUs' blocked share ${blocked.toFixed(3)}`);
  await w.page.keyboard.press('Enter');
  await frames(w.page);
  assert.ok((await view(w.page)).lanes.some((l) => l.label === 'CPU 0/KVM'), 'Enter again expands');
  await w.page.close();
});

test('a debug session: the view follows its stops, and a click seeks it to the time clicked', async () => {
  const w = await opened(jbbData);
  await w.page.evaluate(() => (window as any).migtrace.setView(0, 10e9));
  await w.post({ type: 'session', trace: 0, active: true, name: 'Replay to here' });
  await w.post({ type: 'stopped', trace: 0, time_ns: 200_000_000_000, reason: 'goto' });
  await frames(w.page);
  const v = await view(w.page);
  assert.ok(v.v0 < 200e9 && 200e9 < v.v1, 'the stop is brought into view');
  assert.equal(await w.page.evaluate(() => document.body.dataset.migtraceSession), 'active');
  const cpu0 = await lane(w.page, (l) => l.label === 'CPU 0/KVM');
  const x = Math.round(xOf(v, 201e9));
  await w.page.mouse.click(...at(v, x, cpu0.y + 8));
  const seeks = (await w.posted()).filter((m: any) => m.type === 'seek') as { time_ns: number }[];
  assert.equal(seeks.length, 1);
  assert.ok(Math.abs(seeks[0].time_ns - tOf(v, x)) <= (v.v1 - v.v0) / (v.width - TRACK_X), 'seeks to the time under the click');
  await w.post({ type: 'session', trace: 0, active: false, name: 'Replay to here' });
  await w.page.waitForFunction(() => document.body.dataset.migtraceSession === 'none');
  await w.page.mouse.click(...at(v, x + 20, cpu0.y + 8));
  assert.equal((await w.posted()).filter((m: any) => m.type === 'seek').length, 1, 'no seek once the session ended');
  await w.page.close();
});

test('the view (time window, scroll, collapsed lanes) is restored when the tab is hidden and shown again', async () => {
  const w = await opened(jbbData);
  await w.page.evaluate(() => (window as any).migtrace.setView(100e9, 120e9));
  await w.page.focus('.mt-canvas-wrap');
  // collapse the source side by its label
  const src = await lane(w.page, (l) => l.kind === 'side');
  await w.page.mouse.click(...at(await view(w.page), 30, src.y + src.h / 2));
  await w.page.waitForTimeout(400);
  const state = await w.page.evaluate(() => (window as any).__state);
  assert.ok(state && state.v0 === 100e9, JSON.stringify(state));
  await w.page.close();
  const again = await opened(jbbData, state);
  const v = await view(again.page);
  assert.equal(v.v0, 100e9);
  assert.equal(v.v1, 120e9);
  assert.ok(v.lanes.find((l) => l.kind === 'side')!.collapsed, 'the side stays collapsed');
  await again.page.close();
});

test('seed-stage3-hang, the 2012 bug as the model has it: stop-and-copy begins with ram_save_complete under the BQL held by the migration thread, the vCPUs stopped', async () => {
  // the model heals the bug in one of cpu_synchronize_all_states' run_on_cpu windows (README:
  // "The 2012 stage-3 hang, as the model sees it"), so the run completes; its stage 3 is the view
  const path = record('seed-stage3-hang-1.migtrace', ['seed-stage3-hang', '--seed', '1']);
  const t = readTraceFile(path).trace;
  const stop = t.model.find((m) => m.kind === 'status' && (m.payload as { stage: string }).stage === 'stop-copy')!.time_ns;
  const fn = t.functions.indexOf('ram_save_complete');
  const e = t.events;
  let push = -1;
  for (let i = 0; i < e.count && push < 0; i++) if (e.kind[i] === EK.FRAME_PUSH && e.b[i] === fn) push = i;
  assert.ok(push >= 0 && e.time[push] >= stop, 'ram_save_complete runs in stop-and-copy');
  const w = await opened(await hostTimeline([path]));
  await w.page.evaluate(([a, b]) => (window as any).migtrace.setView(a, b), [stop - 11e6, stop + 49e6]);
  await frames(w.page);
  const v = await view(w.page);
  const th = await themeColors(w.page);
  // the vCPUs are stopped (purple) from when their trace says so, through the rest of the view
  const cpu = await lane(w.page, (l) => l.label === 'CPU 5/KVM');
  let stopped = -1;
  for (let i = 0; i < e.count && stopped < 0; i++) if (e.kind[i] === EK.THREAD_STATE && e.a[i] === cpu.tid && e.b[i] % 8 === 5 && e.time[i] >= stop - 11e6) stopped = e.time[i];
  assert.ok(stopped > 0 && stopped < stop + 40e6, 'CPU 5/KVM stops');
  const share = await stripShare(w, cpu.y + 3, th.state[5], Math.ceil(xOf(v, stopped)) + 1, xOf(v, stop + 45e6));
  assert.ok(share > 0.95, `CPU 5/KVM stopped: ${share}`);
  // the migration thread's frame at ram_save_complete's depth names it
  const mig = await lane(w.page, (l) => l.label === 'migration');
  const depth = (() => {
    let d = 0;
    for (let i = 0; i < push; i++) if (e.a[i] === e.a[push]) d += e.kind[i] === EK.FRAME_PUSH ? 1 : e.kind[i] === EK.FRAME_POP ? -1 : 0;
    return d;
  })();
  const fy = mig.y + 3 + 14 + 2 + (mig.frames ? 5 : 0) + depth * 15 + 7;
  await w.page.mouse.move(...at(v, xOf(v, e.time[push] + 20e6), fy));
  await frames(w.page);
  assert.match(await text(w.page, '.mt-tooltip'), /^migration: ram_save_complete/);
  // and the BQL is held by the migration thread
  const bql = await lane(w.page, (l) => l.label === 'mutex bql');
  await w.page.mouse.move(...at(v, xOf(v, e.time[push] + 20e6), bql.y + 8));
  await frames(w.page);
  assert.match(await text(w.page, '.mt-tooltip'), /^mutex "bql" held by migration/);
  await w.page.mouse.move(...at(v, 5, 5));
  await frames(w.page);
  await w.page.screenshot({ path: join(ARTIFACTS, 'timeline-seed-stage3-hang-seed1-stop-and-copy.png') });
  await w.page.close();
});

test('a hang (multifd-sync-hang on a seed that hangs): the hang banner and marker, the stage that never finished, the threads of the wait cycle blocked at the end', async () => {
  const seed = seedsOf('multifd-sync-hang').hang;
  const hang = record(`multifd-sync-hang-${seed}.migtrace`, ['multifd-sync-hang', '--seed', String(seed)], 3);
  const data = await hostTimeline([hang]);
  const w = await opened(data);
  assert.deepEqual(w.errors, []);
  const t = readTraceFile(hang).trace;
  const head = await text(w.page, 'header.mt-head');
  assert.ok(head.includes(`hang (${t.hang!.kind}) at ${fmtNs(t.hang!.time_ns)}: ${t.hang!.summary}`), head);
  const v = await view(w.page);
  const th = await themeColors(w.page);
  const hx = Math.round(xOf(v, t.hang!.time_ns));
  const main = await lane(w.page, (l) => l.label === 'main');
  const mark = await rowColors(w.page, main.y + 1, hx - 1, hx + 1);
  assert.ok((mark[th.marker.hang] ?? 0) >= 1, `the hang marker is drawn at ${hx}: ${JSON.stringify(mark)}`);
  const st = await lane(w.page, (l) => l.kind === 'stages');
  const band = await rowColors(w.page, st.y + st.h / 2, hx - 8, hx - 2);
  assert.ok((band[th.stage.unfinished] ?? 0) >= 4, `the last stage drawn as never finished: ${JSON.stringify(band)}`);
  // the threads the hang report names as involved and blocked are red from when they blocked
  const stuck = t.hang!.threads.filter((x) => x.involved && x.state === 'blocked');
  assert.ok(stuck.length >= 1, JSON.stringify(t.hang!.threads));
  for (const x of stuck) {
    const l = await lane(w.page, (y) => y.label === x.name);
    const since = xOf(v, x.since_ns);
    if (hx - since < 4 || l.y + 17 > v.height) continue;
    const share = await stripShare(w, l.y + 3, th.state[2], Math.ceil(since) + 1, hx - 2);
    assert.ok(share > 0.9, `${x.name} blocked since ${fmtNs(x.since_ns)}: red ${share}`);
  }
  await w.page.screenshot({ path: join(ARTIFACTS, `timeline-multifd-sync-hang-seed${seed}.png`) });
  // and the last half second before the hang, the marker clicked: its explanation below
  const end = t.hang!.time_ns;
  await w.page.evaluate(([a, b]) => (window as any).migtrace.setView(a, b), [end - 5e8, end + 3e7]);
  await frames(w.page);
  const z = await view(w.page);
  await w.page.mouse.click(...at(z, xOf(z, end), main.y + 8));
  await frames(w.page);
  assert.ok((await text(w.page, '.mt-details')).includes(t.hang!.summary));
  await w.page.screenshot({ path: join(ARTIFACTS, `timeline-multifd-sync-hang-seed${seed}-at-the-hang.png`) });
  await w.page.close();
});

test('512 vCPUs: the group starts collapsed into its state summary; expanded, every lane is there, scrolled to, searched for', async () => {
  const path = record('vcpus-512.migtrace', ['seed-idle-128g', '--set', 'guest.vcpus=512', '--set', 'limits.max-time=4'], 5);
  const w = await opened(await hostTimeline([path]));
  let v = await view(w.page);
  const group = v.lanes.find((l) => l.label === 'vCPUs (512)')!;
  assert.ok(group.collapsed, 'collapsed to begin with');
  const sum = v.lanes.find((l) => l.kind === 'summary')!;
  assert.equal(sum.label, '512 vCPUs: states');
  const th = await themeColors(w.page);
  const row = await rowColors(w.page, sum.y + sum.h - 4, TRACK_X, xOf(v, 3.5e9));
  assert.ok(Object.entries(row).some(([k, n]) => k !== th.bg && n > 100), 'the summary is drawn');
  await w.page.mouse.click(...at(v, 40, group.y + group.h / 2));
  await frames(w.page);
  v = await view(w.page);
  assert.equal(v.lanes.filter((l) => /^CPU \d+\/KVM$/.test(l.label)).length, 512);
  await w.page.fill('input.mt-search', 'CPU 511/');
  await w.page.click('.mt-results button[data-kind="thread"]');
  await frames(w.page);
  const last = await lane(w.page, (l) => l.label === 'CPU 511/KVM');
  v = await view(w.page);
  assert.ok(last.y >= TOP && last.y + last.h <= v.height, 'the last vCPU lane is brought into view');
  const stats = await w.page.evaluate(() => (window as any).migtrace.frames.slice(-1)[0]);
  assert.ok(stats.lanes < 80, `only the lanes on screen are drawn (${stats.lanes})`);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('the theme: the canvas takes VS Code\'s colours (--vscode-*) and follows a theme change', async () => {
  const w = await opened(jbbData);
  const v = await view(w.page);
  const before = Object.keys(await rowColors(w.page, v.height - 3, TRACK_X + 5, TRACK_X + 6))[0];
  // VS Code sets its theme variables on <html> and the theme kind on <body>
  await w.page.evaluate(() => {
    document.documentElement.style.setProperty('--vscode-editor-background', '#fffffe');
    document.documentElement.style.setProperty('--vscode-editor-foreground', '#202020');
    document.body.className = 'vscode-light';
  });
  await frames(w.page, 3);
  const th = await themeColors(w.page);
  assert.equal(th.bg, '255,255,254');
  const after = await rowColors(w.page, v.height - 3, TRACK_X + 5, TRACK_X + 6);
  assert.notEqual(Object.keys(after)[0], before, 'redrawn in the new colours');
  await w.page.close();
});

// Level of detail in the real Chromium, on a trace big enough that zoomed out its thread lanes are
// drawn from the summaries (media/lod.ts) and zoomed in from the raw events: in both, each pixel
// column of a vCPU's state strip is drawn in the colour of the state that took most of the time
// under it, as the trace's own THREAD_STATE events say; and a frame zoomed out draws about one
// primitive per pixel column per track row, however many events are in view. Screenshots at three
// zooms go to .tmp/artifacts/timeline/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, setupChromium, type Browser } from './chromium';
import { openWebview, type WebviewPage } from './webviewPage';
import { ARTIFACTS, hostTimeline, record, stopWorker } from './traces';
import { frames, themeColors, TOP, TRACK_X, view, type LaneBox, type ViewInfo } from './probe';
import { readTraceFile } from '../../engine/cli/traceFile';
import { EK } from '../../engine/trace/format';
import type { PackedTimeline } from '../../engine/trace/timelineData';

let browser: Browser;
let path: string;
let data: PackedTimeline;
/** per thread: its state spans from the trace's events (absolute ns) */
let states: Map<number, { t: Float64Array; st: Uint8Array }>;

before(async () => {
  setupChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  path = record('lod-chegu-256g.migtrace', ['chegu-256g', '--set', 'guest.workload.bql-exit-rate=100', '--set', 'limits.max-time=60'], 5);
  data = await hostTimeline([path]);
  const e = readTraceFile(path).trace.events;
  const by = new Map<number, { t: number[]; st: number[] }>();
  for (let i = 0; i < e.count; i++) {
    if (e.kind[i] !== EK.THREAD_STATE && e.kind[i] !== EK.THREAD_CREATE) continue;
    let s = by.get(e.a[i]);
    if (!s) by.set(e.a[i], (s = { t: [], st: [] }));
    s.t.push(e.time[i]);
    s.st.push(e.kind[i] === EK.THREAD_CREATE ? 1 : e.b[i] % 8);
  }
  states = new Map([...by].map(([tid, s]) => [tid, { t: Float64Array.from(s.t), st: Uint8Array.from(s.st) }]));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  stopWorker();
});

/** ns per state of thread `tid` over absolute [a, b), from its events. */
function mix(tid: number, a: number, b: number): number[] {
  const s = states.get(tid)!;
  const out = [0, 0, 0, 0, 0, 0, 0, 0];
  let lo = 0;
  let hi = s.t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.t[mid] <= a) lo = mid + 1;
    else hi = mid;
  }
  for (let i = Math.max(0, lo - 1); i < s.t.length && s.t[i] < b; i++) {
    const end = i + 1 < s.t.length ? s.t[i + 1] : b;
    out[s.st[i]] += Math.max(0, Math.min(end, b) - Math.max(s.t[i], a));
  }
  return out;
}

/** The state taking most of [a, b), when it leads the next by `margin` of the time; else -1. */
function dominant(m: number[], margin: number): number {
  const all = m.reduce((x, y) => x + y, 0);
  if (all <= 0) return -1;
  const order = m.map((v, k) => [v, k]).sort((p, q) => q[0] - p[0]);
  return (order[0][0] - order[1][0]) / all >= margin ? order[0][1] : -1;
}

/** For each pixel column of the strip at y0 (14 rows), the colour most of its pixels have. */
function majority(w: WebviewPage, y0: number, x0: number, x1: number): Promise<string[]> {
  return w.page.evaluate(({ y0, x0, x1 }) => {
    const c = document.querySelector('canvas.mt-main') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(x0, y0, x1 - x0, 14).data;
    const out: string[] = [];
    for (let x = 0; x < x1 - x0; x++) {
      const n = new Map<string, number>();
      for (let y = 0; y < 14; y++) {
        const i = (y * (x1 - x0) + x) * 4;
        const k = `${d[i]},${d[i + 1]},${d[i + 2]}`;
        n.set(k, (n.get(k) ?? 0) + 1);
      }
      out.push([...n].sort((p, q) => q[1] - p[1])[0][0]);
    }
    return out;
  }, { y0, x0, x1 });
}

interface Agreement {
  checked: number;
  agreed: number;
  /** columns of more than one state (a summary's mix) among those checked */
  mixed: number;
  misses: string[];
}

/**
 * Holds each pixel column of `l`'s state strip against the events under it: where one state leads
 * clearly (in the column and in it with its neighbours, so a column's edge a bucket off does not
 * decide), the column's main colour must be that state's.
 */
async function agree(w: WebviewPage, v: ViewInfo, l: LaneBox, t0: number, end: number): Promise<Agreement> {
  const th = await themeColors(w.page);
  const x1 = Math.min(v.width, Math.floor(TRACK_X + ((end - t0 - v.v0) * (v.width - TRACK_X)) / (v.v1 - v.v0)));
  const cols = await majority(w, l.y + 3, TRACK_X, x1);
  const nsPx = (v.v1 - v.v0) / (v.width - TRACK_X);
  const r: Agreement = { checked: 0, agreed: 0, mixed: 0, misses: [] };
  for (let x = 1; x < cols.length - 1; x++) {
    const a = t0 + v.v0 + x * nsPx;
    const own = mix(l.tid!, a, a + nsPx);
    const st = dominant(own, 0.3);
    if (st < 0 || st === 6 || dominant(mix(l.tid!, a - nsPx, a + 2 * nsPx), 0.3) !== st) continue;
    r.checked++;
    if (own.filter((ns) => ns > 0).length > 1) r.mixed++;
    if (cols[x] === th.state[st]) r.agreed++;
    else if (r.misses.length < 5) r.misses.push(`x ${TRACK_X + x}: drawn ${cols[x]}, events say state ${st} (${th.state[st]}), ns per state ${own.map((n) => Math.round(n)).join('/')}`);
  }
  return r;
}

async function opened(): Promise<WebviewPage> {
  const w = await openWebview(browser.context);
  await w.load(data);
  await frames(w.page);
  return w;
}

/** Shows absolute [a, b) and returns the frame's counts. */
async function show(w: WebviewPage, a: number, b: number): Promise<{ rects: number; rawScans: number; lodScans: number; mostRuns: number; columns: number; lanes: number }> {
  return w.page.evaluate(([a, b]) => {
    const v = (window as any).migtrace;
    v.setView(a - v.models[0].t0, b - v.models[0].t0);
    return v.paint();
  }, [a, b]);
}

const vcpus = (v: ViewInfo) => v.lanes.filter((l) => l.kind === 'thread' && /^CPU \d+\/KVM$/.test(l.label) && l.y >= TOP && l.y + 20 <= v.height);

/** How the last frame drew each thread's state track: 'raw', 'lod' (from the summaries), ... */
function modes(w: WebviewPage): Promise<Record<number, string>> {
  return w.page.evaluate(() => {
    const m = (window as any).migtrace.models[0];
    const out: Record<number, string> = {};
    m.threads.forEach((t: { state: number }, tid: number) => {
      if (t.state >= 0) out[tid] = m.lod(t.state).lastMode;
    });
    return out;
  });
}

test('zoomed out, the busiest lanes are drawn from the summaries, and each pixel column is the colour of the state that took most of its time', async () => {
  const w = await opened();
  const t = readTraceFile(path).trace;
  const t0 = await w.page.evaluate(() => (window as any).migtrace.models[0].t0);
  const end = t.footer!.end_ns;
  const st = await show(w, t0, end);
  await frames(w.page);
  await w.page.screenshot({ path: join(ARTIFACTS, 'lod-chegu-256g-whole-run.png') });
  assert.ok(st.lodScans > 0, `tracks drawn from the summaries (${JSON.stringify(st)})`);
  const v = await view(w.page);
  const mode = await modes(w);
  // the main loop's thread: tens of events per pixel column, so drawn from the summaries
  const lanes = v.lanes.filter((l) => l.kind === 'thread' && l.y >= TOP && l.y + 20 <= v.height && mode[l.tid!] === 'lod');
  assert.ok(lanes.some((l) => l.label === 'main'), `thread lanes in view drawn from the summaries (${JSON.stringify(mode)})`);
  let checked = 0;
  let agreed = 0;
  let mixed = 0;
  for (const l of lanes) {
    const r = await agree(w, v, l, t0, end);
    checked += r.checked;
    agreed += r.agreed;
    mixed += r.mixed;
    assert.ok(r.agreed >= 0.95 * r.checked, `${l.label}: ${r.agreed} of ${r.checked} columns agree with the events: ${r.misses.join('; ')}`);
  }
  assert.ok(checked >= 300 && mixed >= 100, `enough columns held against the events, many of several states (${checked}, ${mixed} mixed)`);
  assert.ok(agreed >= 0.97 * checked, `${agreed} of ${checked}`);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('zoomed in, the lanes are drawn from the raw events and agree with them as closely', async () => {
  const w = await opened();
  const t = readTraceFile(path).trace;
  const t0 = await w.page.evaluate(() => (window as any).migtrace.models[0].t0);
  const end = t.footer!.end_ns;
  // a window of 2 ms in the middle of the run, and one of 200 ms (still raw: a few spans a column)
  for (const [span, name] of [[2e6, 'lod-chegu-256g-2ms.png'], [2e8, 'lod-chegu-256g-200ms.png']] as const) {
    const a = t0 + (end - t0) * 0.6;
    const st = await show(w, a, a + span);
    await frames(w.page);
    await w.page.screenshot({ path: join(ARTIFACTS, name) });
    const v = await view(w.page);
    const mode = await modes(w);
    let checked = 0;
    let agreed = 0;
    for (const l of vcpus(v)) {
      assert.equal(mode[l.tid!], 'raw', `${l.label} drawn from its events`);
      const r = await agree(w, v, l, t0, a + span);
      checked += r.checked;
      agreed += r.agreed;
      assert.ok(r.agreed >= 0.95 * r.checked, `${l.label} at ${span} ns: ${r.agreed} of ${r.checked} columns agree: ${r.misses.join('; ')}`);
    }
    assert.ok(checked >= 300 && agreed >= 0.97 * checked, `columns held against the events at ${span} ns: ${agreed} of ${checked} agree`);
    if (span === 2e6) assert.equal(st.lodScans, 0, `zoomed in, every track from its raw events (${JSON.stringify(st)})`);
    assert.ok(st.rawScans > 0);
  }
  await w.page.close();
});

test('a frame of the whole run draws about one primitive per pixel column per track row, though far more events are in view', async () => {
  const w = await opened();
  const t = readTraceFile(path).trace;
  const t0 = await w.page.evaluate(() => (window as any).migtrace.models[0].t0);
  const st = await show(w, t0, t.footer!.end_ns);
  // the rows drawn: a thread's state, its lock strips and frame rows; a mutex's holds and waiters;
  // a counter, the stages, a summary
  const rows = await w.page.evaluate(({ top }) => {
    const v = (window as any).migtrace;
    const vp = v.scene.vp;
    let n = 0;
    for (const l of v.scene.lanes) {
      const y = l.y + top - vp.scrollY;
      if (y + l.h < top || y > vp.height) continue;
      n += l.kind === 'thread' ? 1 + (l.locks?.length ?? 0) + (l.frames ? l.depth : 0) : l.kind === 'mutex' ? 2 : 1;
    }
    return n;
  }, { top: TOP });
  // a run per pixel column, or a span a pixel wide or more on its own between two of them
  assert.ok(st.mostRuns <= 1.5 * st.columns, `one track's scan emits about a run per pixel column (${st.mostRuns} for ${st.columns} columns)`);
  // lane backgrounds, borders, labels and the ruler are a few per lane, not per column
  assert.ok(st.rects <= rows * st.columns + 20 * st.lanes, `${st.rects} primitives for ${rows} rows of ${st.columns} columns`);
  assert.ok(t.events.count > 4 * rows * st.columns, `the trace's ${t.events.count} events outnumber that bound`);
  await w.page.close();
});

// Timeline benchmark (issue 11), in the real Chromium the webview tests use: for traces of about
// one and ten million events (chegu-256g, recorded through the CLI):
//  - open to first paint: the extension's worker reading the file into the timeline's columns
//    (Node), plus the page from the timeline message's arrival to its first frame; the copy the
//    message costs on its way (VS Code's IPC, not here) is stood in for by a structured clone of
//    the buffers in the page, printed on its own line. Floors: ≤ 1 s (1 M), ≤ 5 s (10 M).
//  - frame time while panning and zooming (the view's paint, over many frames at every zoom from
//    the whole run to a few microseconds): p50, p95, max. Floor: ≤ 16 ms. While zooming, a frame
//    may draw the resolution it had (as Perfetto and Trace Compass do) and is drawn exactly once
//    the zooming stops: "exact" is what such a frame costs, at resolutions not drawn before.
//  - a sweep over 24 scales never drawn before (each over twice the last): p95 and max.
//  - the webview's memory: V8 heap plus ArrayBuffer backing stores after the panning; the
//    level-of-detail summaries' bytes, of the tracks drawn and of all (and the time to build all).
// Each figure the best of a few opens (the machine is shared); BENCH lines only, never fails on time.

import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { launch, setupChromium } from '../webview/chromium';
import { openWebview } from '../webview/webviewPage';
import { TimelineWorker } from '../../extension/timeline/workerClient';
import type { PackedTimeline } from '../../engine/trace/timelineData';

const DIR = join('.tmp', 'bench', 'timeline');

const TRACES = [
  { name: '1m', args: ['chegu-256g', '--set', 'limits.max-time=575'] },
  { name: '10m', args: ['chegu-256g', '--set', 'guest.workload.bql-exit-rate=25', '--set', 'limits.max-time=3020'] },
];

function traceFor(name: string, args: string[]): string {
  const out = join(DIR, `${name}.migtrace`);
  if (!existsSync(out)) {
    const r = spawnSync(process.execPath, ['bin/migtrace.js', 'run', ...args, '--out', out, '-q'], { encoding: 'utf8', timeout: 900_000 });
    if (!existsSync(out)) throw new Error(`recording ${name} failed: ${r.stderr}`);
  }
  return out;
}

const pct = (a: number[], p: number) => {
  const s = a.slice().sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

export async function run(): Promise<void> {
  if (!existsSync('dist/timeline.js') || !existsSync('dist/timelineWorker.js')) spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
  setupChromium();
  mkdirSync(DIR, { recursive: true });
  const worker = new TimelineWorker(resolve('dist'));
  const browser = await launch({ width: 1600, height: 1000 });
  try {
    for (const t of TRACES) {
      const path = traceFor(t.name, t.args);
      let host = Infinity;
      let data: PackedTimeline | null = null;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const r = await worker.request({ op: 'timeline', paths: [path] });
        const ms = performance.now() - t0;
        if (!r.ok || r.op !== 'timeline') throw new Error(r.ok ? 'unexpected reply' : r.message);
        host = Math.min(host, ms);
        data = r.data;
      }
      const events = data!.metas[0].events;
      const bytes = data!.buffers.reduce((n, b) => n + b.byteLength, 0);
      console.log(`BENCH timeline-${t.name}-events ${events} events`);
      console.log(`BENCH timeline-${t.name}-columns ${(bytes / 1e6).toFixed(1)} MB`);
      console.log(`BENCH timeline-${t.name}-host-read ${host.toFixed(0)} ms`);
      let page = Infinity;
      let clone = Infinity;
      let frames: number[] = [];
      let heap = 0;
      let buffers = 0;
      let rects = 0;
      let settle = Infinity;
      let settleP50 = Infinity;
      let sweepP95 = Infinity;
      let sweepMax = Infinity;
      let lodDrawn = 0;
      let lodAll = 0;
      let buildAll = Infinity;
      let runs = 0;
      for (let i = 0; i < 2; i++) {
        const w = await openWebview(browser.context);
        await w.load(data!);
        page = Math.min(page, Number(await w.page.evaluate(() => document.body.dataset.migtraceFirstPaintMs)));
        // the cost of copying the buffers once, as a message between processes does
        clone = Math.min(clone, await w.page.evaluate(() => {
          const v = (window as any).migtrace;
          const bufs = v.tl.traces.flatMap((x: any) => Object.values(x.cols).map((c: any) => c.buffer));
          const t0 = performance.now();
          structuredClone(bufs);
          return performance.now() - t0;
        }));
        // pan and zoom: every zoom level from the whole run down to microseconds, panning at each,
        // twice, the second pass at other factors so that none of its resolutions was drawn
        // before; then frames at a resolution not drawn before (what a frame costs once zooming
        // stops); then a sweep over 24 scales never drawn before, each over twice the one before
        const r = await w.page.evaluate(() => {
          const v = (window as any).migtrace;
          const out: number[] = [];
          const exact: number[] = [];
          const sweep: number[] = [];
          let most = 0;
          let runs = 0;
          const d = v.duration;
          // never the resolution drawn the frame before, even where a view keeps one while zooming
          const timed = (to: number[]) => {
            v.zoomingUntil = 0;
            const t0 = performance.now();
            const st = v.paint();
            to.push(performance.now() - t0);
            if (st) most = Math.max(most, st.rects);
            if (st && st.mostRuns !== undefined) runs = Math.max(runs, st.mostRuns);
          };
          for (let pass = 0; pass < 2; pass++) {
            v.fit();
            v.paint();
            const f = pass === 0 ? 0.8 : 0.83;
            for (let k = 0; k < 90; k++) {
              v.zoomAt(k < 45 ? f : 1 / f, 300 + ((k * 97 + pass * 41) % 1000));
              v.panBy(k % 2 ? 37 : -23);
              timed(out);
            }
            for (let k = 0; k < 40; k++) {
              v.setView((d * k) / 60 + pass * d / 97, (d * k) / 60 + pass * d / 97 + d / 8);
              timed(out);
            }
          }
          for (let k = 0; k < 12; k++) {
            const width = d / 1.7 ** k;
            const at = (d - width) * ((k * 0.37) % 1);
            v.setView(at, at + width);
            timed(exact);
          }
          for (let k = 0; k < 24; k++) {
            const width = (d * 0.93) / 2.17 ** k;
            const at = (d - width) * ((k * 0.618) % 1);
            v.setView(at, at + width);
            timed(sweep);
          }
          return { out, exact, sweep, most, runs, drawn: v.models[0].lodBytes };
        });
        sweepP95 = Math.min(sweepP95, pct(r.sweep, 0.95));
        sweepMax = Math.min(sweepMax, Math.max(...r.sweep));
        lodDrawn = r.drawn;
        runs = Math.max(runs, r.runs);
        settle = Math.min(settle, Math.max(...r.exact));
        settleP50 = Math.min(settleP50, r.exact.slice().sort((a, b) => a - b)[6]);
        frames = frames.length === 0 || pct(r.out, 0.5) < pct(frames, 0.5) ? r.out.slice(r.out.length / 2) : frames;
        rects = Math.max(rects, r.most);
        const cdp = await browser.context.newCDPSession(w.page);
        await cdp.send('HeapProfiler.collectGarbage');
        const h = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
        heap = h.usedSize;
        buffers = h.backingStorageSize ?? 0;
        // then every track's and counter's summaries built (what the whole trace costs), and their bytes
        const all = await w.page.evaluate(() => {
          const m = (window as any).migtrace.models[0];
          const t0 = performance.now();
          if (typeof m.buildAll === 'function') m.buildAll();
          return { ms: performance.now() - t0, bytes: m.lodBytes as number };
        });
        buildAll = Math.min(buildAll, all.ms);
        lodAll = all.bytes;
        await cdp.detach();
        await w.page.close();
      }
      console.log(`BENCH timeline-${t.name}-page-first-paint ${page.toFixed(0)} ms`);
      console.log(`BENCH timeline-${t.name}-open-to-first-paint ${(host + page).toFixed(0)} ms`);
      console.log(`BENCH timeline-${t.name}-message-copy ${clone.toFixed(0)} ms`);
      console.log(`BENCH timeline-${t.name}-frame-p50 ${pct(frames, 0.5).toFixed(1)} ms`);
      console.log(`BENCH timeline-${t.name}-frame-p95 ${pct(frames, 0.95).toFixed(1)} ms`);
      console.log(`BENCH timeline-${t.name}-frame-max ${Math.max(...frames).toFixed(1)} ms`);
      console.log(`BENCH timeline-${t.name}-frame-exact-p50 ${settleP50.toFixed(1)} ms`);
      console.log(`BENCH timeline-${t.name}-frame-exact-max ${settle.toFixed(1)} ms`);
      console.log(`BENCH timeline-${t.name}-frame-rects-max ${rects} rects`);
      console.log(`BENCH timeline-${t.name}-frame-sweep-p95 ${sweepP95.toFixed(1)} ms`);
      console.log(`BENCH timeline-${t.name}-frame-sweep-max ${sweepMax.toFixed(1)} ms`);
      console.log(`BENCH timeline-${t.name}-frame-runs-per-track-max ${runs} runs`);
      console.log(`BENCH timeline-${t.name}-lod-memory-drawn ${(lodDrawn / 1e6).toFixed(1)} MB`);
      console.log(`BENCH timeline-${t.name}-lod-memory-all ${(lodAll / 1e6).toFixed(1)} MB`);
      console.log(`BENCH timeline-${t.name}-lod-build-all ${buildAll === Infinity ? 'n/a' : buildAll.toFixed(0)} ms`);
      console.log(`BENCH timeline-${t.name}-webview-heap ${(heap / 1e6).toFixed(1)} MB`);
      console.log(`BENCH timeline-${t.name}-webview-buffers ${(buffers / 1e6).toFixed(1)} MB`);
    }
  } finally {
    await browser.close();
    worker.dispose();
  }
}

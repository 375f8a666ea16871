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
//  - the webview's memory: V8 heap plus ArrayBuffer backing stores after the panning.
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
        // pan and zoom: every zoom level from the whole run down to microseconds, panning at each;
        // then frames at a resolution not drawn before (what a frame costs once zooming stops)
        const r = await w.page.evaluate(() => {
          const v = (window as any).migtrace;
          const out: number[] = [];
          const exact: number[] = [];
          let most = 0;
          const d = v.duration;
          for (let pass = 0; pass < 2; pass++) {
            v.fit();
            v.paint();
            for (let k = 0; k < 90; k++) {
              v.zoomAt(k < 45 ? 0.8 : 1.25, 300 + ((k * 97) % 1000));
              v.panBy(k % 2 ? 37 : -23);
              const t0 = performance.now();
              const st = v.paint();
              out.push(performance.now() - t0);
              if (st) most = Math.max(most, st.rects);
            }
            for (let k = 0; k < 40; k++) {
              v.setView((d * k) / 60, (d * k) / 60 + d / 8);
              const t0 = performance.now();
              const st = v.paint();
              out.push(performance.now() - t0);
              if (st) most = Math.max(most, st.rects);
            }
          }
          for (let k = 0; k < 12; k++) {
            const width = d / 1.7 ** k;
            const at = (d - width) * ((k * 0.37) % 1);
            v.setView(at, at + width);
            const t0 = performance.now();
            const st = v.paint();
            exact.push(performance.now() - t0);
            if (st) most = Math.max(most, st.rects);
          }
          return { out, exact, most };
        });
        settle = Math.min(settle, Math.max(...r.exact));
        settleP50 = Math.min(settleP50, r.exact.slice().sort((a, b) => a - b)[6]);
        frames = frames.length === 0 || pct(r.out, 0.5) < pct(frames, 0.5) ? r.out.slice(r.out.length / 2) : frames;
        rects = Math.max(rects, r.most);
        const cdp = await browser.context.newCDPSession(w.page);
        await cdp.send('HeapProfiler.collectGarbage');
        const h = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
        heap = h.usedSize;
        buffers = h.backingStorageSize ?? 0;
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
      console.log(`BENCH timeline-${t.name}-webview-heap ${(heap / 1e6).toFixed(1)} MB`);
      console.log(`BENCH timeline-${t.name}-webview-buffers ${(buffers / 1e6).toFixed(1)} MB`);
    }
  } finally {
    await browser.close();
    worker.dispose();
  }
}

// Drawing one lane's content in the track area: thread states, lock strips and frames; a mutex's
// holds (coloured by who held it) over the count of its waiters; a counter as a filled step line;
// the stage band; a collapsed group's state mix. Every track goes through its level-of-detail scan
// (lod.ts), so a lane costs about one rectangle per pixel column at most.

import { LOCK_USE, stateOf, waitIdOf, waitKindOf } from '../engine/trace/timelineData';
import { fit, type RectBatch } from './batch';
import { GroupDensity, STATES } from './groupDensity';
import { frameRowY, LABEL_W, lockRowY, ROW, threadStateY, type Lane } from './layout';
import type { TraceModel } from './model';
import type { Scene } from './scene';
import { shade, shades, shadeStep, type Theme } from './theme';
import { fmtValue } from './format';
import { firstAbove } from './lod';

export interface LaneCtx {
  s: Scene;
  m: TraceModel;
  b: RectBatch;
  /** absolute time window of this trace */
  a0: number;
  a1: number;
  w: number;
  /** screen y of the lane's top */
  y: number;
  charW: number;
  font: string;
}

const xOf = (c: LaneCtx, t: number) => LABEL_W + ((t - c.a0) * c.w) / (c.a1 - c.a0);

export function groupColor(th: Theme, group: string | undefined): string {
  return group === 'migration' ? th.marker.fault : group === 'main' ? th.counter : group === 'vcpu' ? th.state[0] : th.divergence;
}

export function drawThread(c: LaneCtx, l: Lane): void {
  const th = c.s.theme;
  const tracks = c.m.threads[l.tid!];
  const b = c.b;
  const sy = c.y + (threadStateY(l) - l.y);
  if (tracks.state >= 0) {
    const nsPx = (c.a1 - c.a0) / c.w;
    c.m.scan(tracks.state, c.a0, c.a1, c.w, (x0, x1, val, _cover, _mask, _span, byClass) => {
      if (byClass === null) {
        const st = stateOf(val);
        if (st !== 6) b.run(th.state[st], LABEL_W + x0, LABEL_W + x1, sy, ROW.state);
        return;
      }
      // a column of many states: the share of each, stacked (blocked at the bottom), so short
      // waits that add up show as what they add up to
      for (let k = 0; k < STACK.length; k++) heights[k] = Math.round((byClass[STACK[k]] / nsPx) * ROW.state);
      b.column(LABEL_W + x0, LABEL_W + x1, sy + ROW.state, STACK, heights, th.state);
    });
    b.endRun();
  }
  const lockShades = th.lock.map((col) => shades(th, col));
  tracks.locks.forEach((lk, k) => {
    const ly = c.y + (lockRowY(l, k) - l.y);
    c.m.scan(lk.track, c.a0, c.a1, c.w, (x0, x1, val, cover, _mask, _span, byClass) => {
      // several uses in a column: the one that took most of its time
      let use = val;
      if (byClass !== null) use = byClass[2] >= byClass[1] && byClass[2] >= byClass[0] ? 2 : byClass[1] >= byClass[0] ? 1 : 0;
      b.run((lockShades[use] ?? lockShades[0])[shadeStep(cover)], LABEL_W + x0, LABEL_W + x1, ly, ROW.lock - 1);
    });
    b.endRun();
  });
  if (!l.frames) return;
  const hl = c.s.highlightFns?.[c.m.index] ?? null;
  tracks.frames.forEach((track, d) => {
    if (track < 0) return;
    const fy = c.y + (frameRowY(l, d) - l.y);
    // a label per stretch of one function: a call wide enough, or many short calls side by side
    let lf = -1;
    let lx0 = 0;
    let lx1 = 0;
    let many = false;
    let textEnd = -Infinity;
    const label = () => {
      if (lf < 0 || lx1 - lx0 < 28) return;
      const x = Math.max(lx0, 0) + 3;
      if (x < textEnd + 6) return; // never run into the label before
      const dim = hl !== null && !hl.has(lf);
      const s = fit(many ? `${c.m.fnName(lf)} …` : c.m.fnName(lf), lx1 - Math.max(lx0, 0) - 6, c.charW);
      if (!s) return;
      b.text(s, LABEL_W + x, fy + ROW.frame / 2, dim ? th.muted : th.frameText, c.font);
      textEnd = x + s.length * c.charW;
    };
    let lspan = -1;
    c.m.scan(track, c.a0, c.a1, c.w, (x0, x1, fn, cover, _mask, span) => {
      const base = th.frames[fn % th.frames.length];
      const dim = hl !== null && !hl.has(fn);
      b.run(shade(th, base, dim ? 0.25 : cover), LABEL_W + x0, LABEL_W + x1, fy, ROW.frame - 1);
      // calls of one function side by side, too narrow to be named one by one (or a column of
      // several), make a stretch; a sliver of another function between two of them does not end it
      if (fn === lf && x0 <= lx1 + 2 && (span < 0 || lspan < 0 || x1 - x0 < 28 || lx1 - lx0 < 28)) {
        lx1 = x1;
        many = true;
        lspan = span;
        return;
      }
      if (fn !== lf && lf >= 0 && x1 - x0 < 2 && x0 <= lx1 + 1) return;
      label();
      lf = fn;
      lx0 = x0;
      lx1 = x1;
      many = span < 0;
      lspan = span;
    });
    label();
    b.endRun();
  });
}

export function drawInstants(c: LaneCtx, l: Lane): void {
  const times = c.m.instants(l.tid!);
  const n = times.length;
  if (n === 0) return;
  const sy = c.y + (threadStateY(l) - l.y);
  const nsPx = (c.a1 - c.a0) / c.w;
  // one mark per 2 pixels at most: after one, the next at least 2 pixels further on
  for (let i = firstAbove(times, n, c.a0 - 1e-9); i < n && times[i] <= c.a1; ) {
    const x = Math.round(xOf(c, times[i]));
    c.b.rect(c.s.theme.fg, x - 1, sy - 2, 2, ROW.state + 4);
    i = Math.max(i + 1, firstAbove(times, n, c.a0 + (x + 1.5 - LABEL_W) * nsPx));
  }
}

export function drawMutex(c: LaneCtx, l: Lane): void {
  const th = c.s.theme;
  const m = c.m;
  const mutex = l.mutex!;
  const hy = c.y + 3;
  const hh = 14;
  const wy = hy + hh + 1;
  const wh = l.h - hh - 6;
  const holds = m.holds[mutex];
  if (holds >= 0) {
    m.scan(holds, c.a0, c.a1, c.w, (x0, x1, tid, cover) => {
      c.b.run(shade(th, groupColor(th, m.tl.meta.threads[tid]?.group), cover), LABEL_W + x0, LABEL_W + x1, hy, hh);
      const w = x1 - x0;
      if (w >= 40) {
        const s = fit(`held by ${m.threadName(tid)}`, w - 6, c.charW);
        if (s) c.b.text(s, LABEL_W + Math.max(x0, 0) + 3, hy + hh / 2, th.frameText, c.font);
      }
    });
    c.b.endRun();
  }
  const ct = m.contended[mutex];
  if (ct >= 0) {
    const most = Math.max(1, maxVal(m, ct));
    m.scan(ct, c.a0, c.a1, c.w, (x0, x1, n, cover) => {
      const h = Math.max(1, Math.round((wh * Math.min(n, most)) / most));
      c.b.run(shade(th, th.lock[LOCK_USE.waiting], Math.max(cover, 0.5)), LABEL_W + x0, LABEL_W + x1, wy + wh - h, h);
    });
    c.b.endRun();
  }
}

const maxCache = new WeakMap<TraceModel, Map<number, number>>();
function maxVal(m: TraceModel, track: number): number {
  let per = maxCache.get(m);
  if (!per) maxCache.set(m, (per = new Map()));
  let v = per.get(track);
  if (v === undefined) {
    const s = m.spans(track);
    v = 0;
    for (let i = 0; i < s.val.length; i++) if (s.val[i] > v) v = s.val[i];
    per.set(track, v);
  }
  return v;
}

/** The most threads that ever waited at once for `mutex`'s track. */
export function mostWaiters(m: TraceModel, mutex: number): number {
  const ct = m.contended[mutex];
  return ct >= 0 ? maxVal(m, ct) : 0;
}

export function drawCounter(c: LaneCtx, l: Lane): void {
  const th = c.s.theme;
  const ctr = c.m.counters[l.counter!];
  const top = c.y + 4;
  const h = l.h - 7;
  if (ctr.time.length === 0) return;
  if (ctr.max <= 0) {
    c.b.text('0 throughout', LABEL_W + 6, c.y + l.h / 2, th.muted, c.font);
    return;
  }
  // a pixel column shows the largest sample in it, or the one in force since before it
  c.m.counterLod(l.counter!).scan(c.a0, c.a1, c.w, c.m.tl.meta.end_ns, (px, v) => {
    const hv = Math.max(v > 0 ? 1 : 0, Math.round((h * v) / ctr.max));
    c.b.run(th.counterFill, LABEL_W + px, LABEL_W + px + 1, top + h - hv, hv);
  });
  c.b.endRun();
  c.b.text(`max ${fmtValue(ctr.max, ctr.unit)}`, LABEL_W + c.w - 4, c.y + 9, th.muted, c.font, 'right');
}

export function drawStages(c: LaneCtx, l: Lane): void {
  const th = c.s.theme;
  const y = c.y + 2;
  const h = l.h - 4;
  let alt = false;
  for (const st of c.m.tl.meta.stages) {
    if (st.end_ns < c.a0 || st.start_ns > c.a1) {
      if (st.kind === 'iteration') alt = !alt;
      continue;
    }
    const x0 = Math.max(LABEL_W, xOf(c, st.start_ns));
    const x1 = Math.min(LABEL_W + c.w, xOf(c, st.end_ns));
    const color = st.unfinished ? th.stage.unfinished : st.kind === 'iteration' ? (alt ? th.stageAlt : th.stage.iteration) : th.stage[st.kind] ?? th.stage.done;
    if (st.kind === 'iteration') alt = !alt;
    if (st.kind === 'done') {
      // the final status: a line here, its name as a flag on the ruler
      c.b.rect(th.fg, xOf(c, st.start_ns) - 1, y, 2, h);
      continue;
    }
    c.b.rect(color, x0, y, Math.max(1, x1 - x0), h);
    c.b.rect(th.bg, x1 - 1, y, 1, h);
    const label = st.unfinished ? `${st.label} (never finished)` : st.label;
    const s = fit(label, x1 - x0 - 8, c.charW);
    if (s) c.b.text(s, (x0 + x1) / 2, y + h / 2, th.fg, c.font, 'center');
  }
}

const mix = new Float32Array(STATES);
/** bottom to top: blocked, stopped, io, running, runnable, sleeping */
const STACK = [2, 5, 4, 0, 1, 3];
const heights = new Int32Array(STACK.length);

export function drawSummary(c: LaneCtx, l: Lane, density: GroupDensity): void {
  const th = c.s.theme;
  const h = l.h - 4;
  const y0 = c.y + 2;
  const nsPx = (c.a1 - c.a0) / c.w;
  for (let px = 0; px < c.w; px++) {
    const a = c.a0 + px * nsPx;
    if (!density.at(a, a + nsPx, mix)) continue;
    for (let k = 0; k < STACK.length; k++) heights[k] = Math.round(mix[STACK[k]] * h);
    c.b.column(LABEL_W + px, LABEL_W + px + 1, y0 + h, STACK, heights, th.state);
  }
}

/** The wait of a state value in words, for tooltips. */
export function waitText(m: TraceModel, val: number): string {
  const id = waitIdOf(val);
  const meta = m.tl.meta;
  if (id < 0) return '';
  switch (waitKindOf(val)) {
    case 1: return ` on mutex "${meta.mutexes[id] ?? id}"`;
    case 2: return ` on condition "${meta.conds[id] ?? id}"`;
    case 3: return ` on semaphore "${meta.sems[id] ?? id}"`;
    case 4: return ` joining "${meta.threads[id]?.name ?? id}"`;
    default: return '';
  }
}

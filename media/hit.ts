// What is under a point of the canvas: a span of some track (a thread state, a frame, a lock use,
// a hold, a wait count), a counter's value, a stage, a marker, a QEMU trace point, a collapsed
// group's state mix, a lane's label or the ruler. Spans narrower than a pixel are found within a
// few pixels, so they can still be hovered when zoomed out.

import { firstAbove } from './lod';
import { frameRowY, LABEL_W, laneAt, lockRowY, ROW, RULER_H, threadStateY, type Lane } from './layout';
import type { Scene } from './scene';
import { density, sectionSpan } from './render';
import { STATES } from './groupDensity';

export type Hit =
  /** `row`: the span's row, content y and height */
  | { kind: 'span'; what: 'state' | 'frame' | 'lock' | 'hold' | 'contended'; trace: number; lane: Lane; track: number; span: number; t: number; row: [number, number] }
  | { kind: 'counter'; trace: number; lane: Lane; counter: number; t: number }
  | { kind: 'stage'; trace: number; lane: Lane; stage: number; t: number }
  | { kind: 'summary'; trace: number; lane: Lane; t: number; mix: number[] }
  | { kind: 'marker'; trace: number; marker: number; t: number }
  | { kind: 'divergence'; trace: number; t: number }
  | { kind: 'instant'; trace: number; lane: Lane; i: number; t: number }
  | { kind: 'lane'; trace: number; lane: Lane; t: number }
  | { kind: 'label'; lane: Lane }
  | { kind: 'ruler'; t: number };

/** Relative time at canvas x. */
export function timeAt(s: Scene, x: number): number {
  const w = Math.max(1, s.vp.width - LABEL_W);
  return s.vp.v0 + ((x - LABEL_W) * (s.vp.v1 - s.vp.v0)) / w;
}

function nsPerPx(s: Scene): number {
  return (s.vp.v1 - s.vp.v0) / Math.max(1, s.vp.width - LABEL_W);
}

/** The span of `track` at absolute time t, or the nearest within `tol` ns; -1 if none. */
function spanNear(s: Scene, ti: number, track: number, t: number, tol: number): number {
  const lod = s.models[ti].lod(track);
  const i = lod.at(t);
  if (i >= 0) return i;
  const j = firstAbove(lod.end, lod.n, t);
  const cand: [number, number][] = [];
  if (j < lod.n && lod.start[j] - t <= tol) cand.push([j, lod.start[j] - t]);
  if (j > 0 && t - lod.end[j - 1] <= tol) cand.push([j - 1, t - lod.end[j - 1]]);
  cand.sort((a, b) => a[1] - b[1]);
  return cand.length > 0 ? cand[0][0] : -1;
}

export function hitTest(s: Scene, x: number, y: number): Hit | null {
  if (y < RULER_H) return x >= LABEL_W ? { kind: 'ruler', t: timeAt(s, x) } : null;
  const cy = y - RULER_H + s.vp.scrollY;
  const lane = laneAt(s.lanes, cy);
  if (lane === undefined) return null;
  if (x < LABEL_W) return { kind: 'label', lane };
  const ti = lane.trace;
  const m = s.models[ti];
  const tRel = timeAt(s, x);
  const t = tRel + m.t0;
  const px = nsPerPx(s);
  const tol = 3 * px;
  // markers and the divergence line win within 3 px, anywhere in their trace's section
  const [top, bottom] = sectionSpan(s, ti);
  if (y >= top && y < bottom) {
    const mk = m.tl.meta.markers.findIndex((k) => Math.abs(k.time_ns - t) <= tol);
    if (mk >= 0) return { kind: 'marker', trace: ti, marker: mk, t: tRel };
    const d = s.divergence;
    if (d && d.kind !== 'none' && d.time_ns[ti] >= 0 && Math.abs(d.time_ns[ti] - tRel) <= tol) return { kind: 'divergence', trace: ti, t: tRel };
  }
  const ly = cy; // content coordinates, as the lane rows are laid out
  const span = (what: 'state' | 'frame' | 'lock' | 'hold' | 'contended', track: number, row: [number, number]): Hit | null => {
    if (track < 0) return null;
    const i = spanNear(s, ti, track, t, tol);
    return i >= 0 ? { kind: 'span', what, trace: ti, lane, track, span: i, t: tRel, row } : null;
  };
  switch (lane.kind) {
    case 'thread': {
      const tr = m.threads[lane.tid!];
      const sy = threadStateY(lane);
      if (ly < sy + ROW.state) {
        const c = m.tl.cols;
        for (let i = 0; i < c.inst_time.length; i++) if (c.inst_tid[i] === lane.tid && Math.abs(c.inst_time[i] - t) <= tol) return { kind: 'instant', trace: ti, lane, i, t: tRel };
        return span('state', tr.state, [sy, ROW.state]) ?? { kind: 'lane', trace: ti, lane, t: tRel };
      }
      const k = Math.floor((ly - lockRowY(lane, 0)) / ROW.lock);
      if (k >= 0 && k < (lane.locks?.length ?? 0)) return span('lock', lane.locks![k].track, [lockRowY(lane, k), ROW.lock - 1]) ?? { kind: 'lane', trace: ti, lane, t: tRel };
      if (lane.frames) {
        const d = Math.floor((ly - frameRowY(lane, 0)) / ROW.frame);
        if (d >= 0 && d < tr.frames.length) return span('frame', tr.frames[d], [frameRowY(lane, d), ROW.frame - 1]) ?? { kind: 'lane', trace: ti, lane, t: tRel };
      }
      return { kind: 'lane', trace: ti, lane, t: tRel };
    }
    case 'mutex': {
      const hold: [number, number] = [lane.y + 3, 14];
      const wait: [number, number] = [lane.y + 18, lane.h - 20];
      if (ly < lane.y + 17) return span('hold', m.holds[lane.mutex!], hold) ?? span('contended', m.contended[lane.mutex!], wait) ?? { kind: 'lane', trace: ti, lane, t: tRel };
      return span('contended', m.contended[lane.mutex!], wait) ?? span('hold', m.holds[lane.mutex!], hold) ?? { kind: 'lane', trace: ti, lane, t: tRel };
    }
    case 'counter':
      return { kind: 'counter', trace: ti, lane, counter: lane.counter!, t: tRel };
    case 'stages': {
      const st = m.stageAt(t);
      return st >= 0 ? { kind: 'stage', trace: ti, lane, stage: st, t: tRel } : { kind: 'lane', trace: ti, lane, t: tRel };
    }
    case 'summary': {
      const mix = new Float32Array(STATES);
      const ok = density(s, lane).at(t, t + px, mix);
      return ok ? { kind: 'summary', trace: ti, lane, t: tRel, mix: Array.from(mix) } : { kind: 'lane', trace: ti, lane, t: tRel };
    }
    default:
      return { kind: 'lane', trace: ti, lane, t: tRel };
  }
}

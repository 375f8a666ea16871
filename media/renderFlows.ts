// Wait arrows, as Perfetto draws flows: from the moment a thread blocked on a mutex, on its lane,
// to the end of the hold it waited for, on the holder's lane. All of those in view when there are
// few; otherwise only those of the selected lane (a thread's waits and the waits on its holds).

import { LABEL_W, RULER_H, threadStateY, ROW, type Lane } from './layout';
import type { Scene } from './scene';
import { firstAtOrAbove } from './lod';

export interface FlowRef {
  trace: number;
  i: number;
}

/** Screen y of thread `tid`'s lane in trace `ti` (its state row, or the collapsed lane standing for it). */
export function threadY(s: Scene, ti: number, tid: number): number | undefined {
  let best: Lane | undefined;
  for (const l of s.lanes) {
    if (l.trace !== ti) continue;
    if (l.kind === 'thread' && l.tid === tid) {
      best = l;
      break;
    }
    if ((l.kind === 'summary' || l.kind === 'side') && l.tids?.includes(tid)) best = l;
  }
  if (best === undefined) return undefined;
  const y = best.kind === 'thread' ? threadStateY(best) + ROW.state / 2 : best.y + best.h / 2;
  return y + RULER_H - s.vp.scrollY;
}

/** Flows looked at per call at most: past this the view has too many to draw anyway. */
const SCAN_MAX = 20000;

/**
 * Flows crossing the view that pass `only`, at most `limit`; null when there are more, or more
 * than SCAN_MAX to look at (then only a selected lane's are drawn, once zoomed in enough).
 */
export function flowsInView(s: Scene, limit: number, only?: (ti: number, from: number, to: number, i: number) => boolean): FlowRef[] | null {
  const out: FlowRef[] = [];
  const span = s.vp.v1 - s.vp.v0;
  let looked = 0;
  for (const m of s.models) {
    const c = m.tl.cols;
    const a0 = s.vp.v0 + m.t0;
    const a1 = s.vp.v1 + m.t0;
    // sorted by end: those ending in view or within a view's width after it
    for (let i = firstAtOrAbove(c.flow_t1, 0, c.flow_t1.length, a0); i < c.flow_t1.length && c.flow_t1[i] <= a1 + span; i++) {
      if (++looked > SCAN_MAX) return null;
      if (c.flow_t0[i] > a1) continue;
      if (only && !only(m.index, c.flow_from[i], c.flow_to[i], i)) continue;
      if (out.length >= limit) return null;
      out.push({ trace: m.index, i });
    }
  }
  return out;
}

export function drawFlows(ctx: CanvasRenderingContext2D, s: Scene, flows: FlowRef[], color = s.theme.flow): void {
  if (flows.length === 0) return;
  const w = Math.max(1, s.vp.width - LABEL_W);
  const k = w / (s.vp.v1 - s.vp.v0);
  const ys = new Map<string, number | undefined>();
  const yOf = (ti: number, tid: number) => {
    const key = `${ti}/${tid}`;
    if (!ys.has(key)) ys.set(key, threadY(s, ti, tid));
    return ys.get(key);
  };
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 1;
  ctx.beginPath();
  const heads: [number, number, number][] = [];
  for (const f of flows) {
    const m = s.models[f.trace];
    const c = m.tl.cols;
    const y0 = yOf(f.trace, c.flow_from[f.i]);
    const y1 = yOf(f.trace, c.flow_to[f.i]);
    if (y0 === undefined || y1 === undefined) continue;
    const x0 = LABEL_W + (c.flow_t0[f.i] - m.t0 - s.vp.v0) * k;
    const x1 = LABEL_W + (c.flow_t1[f.i] - m.t0 - s.vp.v0) * k;
    const dx = Math.max(12, (x1 - x0) / 3);
    ctx.moveTo(x0, y0);
    ctx.bezierCurveTo(x0 + dx, y0, x1 - dx, y1, x1, y1);
    heads.push([x1, y1, y1 >= y0 ? 1 : -1]);
  }
  ctx.stroke();
  ctx.beginPath();
  for (const [x, y] of heads) {
    ctx.moveTo(x, y);
    ctx.lineTo(x - 6, y - 3);
    ctx.lineTo(x - 6, y + 3);
    ctx.closePath();
  }
  ctx.fill();
}

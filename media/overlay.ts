// The overlay canvas, redrawn on its own (hover moves do not redraw the lanes): the hover line and
// the time under the pointer, the hovered and the selected span outlined, the range selection, the
// debug session's current stop, and the wait arrows of the selected lane.

import { LABEL_W, RULER_H } from './layout';
import type { TimelineView } from './view';
import type { Hit } from './hit';
import { describeHit } from './describe';
import { drawFlows, flowsInView } from './renderFlows';
import { fmtNs } from './format';

function outline(ctx: CanvasRenderingContext2D, v: TimelineView, h: Hit | null, color: string, width: number): void {
  if (h === null || h.kind !== 'span') return;
  const d = describeHit(v.scene, h);
  if (!d?.span) return;
  const y = h.row[0] + RULER_H - v.scene.vp.scrollY;
  const x0 = Math.max(LABEL_W, v.xOf(d.span[0]));
  const x1 = Math.min(v.scene.vp.width, v.xOf(d.span[1]));
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.strokeRect(x0 - 0.5, y - 0.5, Math.max(2, x1 - x0) + 1, h.row[1] + 1);
}

export function renderOverlay(ctx: CanvasRenderingContext2D, v: TimelineView): void {
  const s = v.scene;
  const th = s.theme;
  const { width, height, dpr } = s.vp;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.save();
  ctx.beginPath();
  ctx.rect(LABEL_W, 0, width - LABEL_W, height);
  ctx.clip();
  ctx.font = `${th.fontPx - 1}px ${th.font}`;
  ctx.textBaseline = 'middle';
  if (s.range) {
    const x0 = v.xOf(s.range.t0);
    const x1 = v.xOf(s.range.t1);
    ctx.fillStyle = th.selection;
    ctx.fillRect(x0, RULER_H, x1 - x0, height - RULER_H);
    ctx.fillStyle = th.focus;
    ctx.fillRect(x0 - 1, 0, 2, height);
    ctx.fillRect(x1 - 1, 0, 2, height);
    const label = fmtNs(s.range.t1 - s.range.t0);
    ctx.fillStyle = th.fg;
    ctx.textAlign = 'center';
    ctx.fillText(label, (x0 + x1) / 2, RULER_H + 9);
  }
  if (s.selectedKey !== null) {
    const lane = s.lanes.find((l) => l.key === s.selectedKey);
    if (lane && (lane.kind === 'thread' || lane.kind === 'mutex')) {
      const mine = lane.kind === 'thread'
        ? (ti: number, from: number, to: number) => ti === lane.trace && (from === lane.tid || to === lane.tid)
        : (ti: number) => ti === lane.trace;
      const flows = flowsInView(s, 400, mine);
      if (flows !== null) {
        ctx.globalAlpha = 0.7;
        drawFlows(ctx, s, flows, th.focus);
        ctx.globalAlpha = 1;
      }
    }
  }
  outline(ctx, v, v.selected, th.focus, 2);
  outline(ctx, v, v.hover, th.fg, 1);
  if (s.session) {
    const x = v.xOf(s.session.t);
    ctx.fillStyle = th.session;
    ctx.fillRect(Math.round(x) - 1, RULER_H, 2, height - RULER_H);
    ctx.textAlign = 'left';
    ctx.fillText(`debugger ${fmtNs(s.session.t)}`, x + 4, RULER_H + 22);
  }
  if (v.mouse && v.mouse.x >= LABEL_W) {
    const x = Math.round(v.mouse.x);
    ctx.fillStyle = th.muted;
    ctx.fillRect(x, RULER_H, 1, height - RULER_H);
    const label = fmtNs(v.timeAt(v.mouse.x));
    const w = label.length * 6.5 + 8;
    const left = x + w > width ? x - w : x;
    ctx.fillStyle = th.headerBg;
    ctx.fillRect(left, 0, w, 13);
    ctx.fillStyle = th.fg;
    ctx.textAlign = 'left';
    ctx.fillText(label, left + 4, 7);
  }
  ctx.restore();
}

// One frame of the timeline on the main canvas: lane backgrounds, each visible lane's content,
// markers (hang, faults, data lost, where a damaged trace stops) and the first divergence of two
// traces across their sections, the wait arrows when few enough are in view, the label column
// and the time ruler on top. Only lanes on screen are drawn.

import { RectBatch, fit } from './batch';
import { GroupDensity } from './groupDensity';
import { LABEL_W, RULER_H, type Lane } from './layout';
import type { Scene } from './scene';
import { drawCounter, drawInstants, drawMutex, drawStages, drawSummary, drawThread, type LaneCtx } from './renderLanes';
import { drawFlows, flowsInView } from './renderFlows';
import { fmtTick } from './format';

export interface FrameStats {
  rects: number;
  lanes: number;
  ms: number;
  /** of which: filling the rectangles and text */
  fill_ms: number;
  /** track scans drawn from the raw spans (few in view) and from the level-of-detail summaries */
  rawScans: number;
  lodScans: number;
  /** the most runs one track's scan emitted (at most about one per pixel column) */
  mostRuns: number;
  /** pixel columns of the track area */
  columns: number;
}

const densities = new WeakMap<object, Map<string, GroupDensity>>();

/** A collapsed group's state mix, built the first time its summary lane is drawn. */
export function density(s: Scene, l: Lane): GroupDensity {
  const m = s.models[l.trace];
  let per = densities.get(m);
  if (per === undefined) densities.set(m, (per = new Map()));
  let d = per.get(l.key);
  if (d === undefined) {
    d = new GroupDensity(m, l.tids!);
    per.set(l.key, d);
  }
  return d;
}

/** Ticks 1, 2 or 5 × 10^k ns apart, at least `minPx` apart. */
export function tickStep(nsPerPx: number, minPx = 90): number {
  const raw = nsPerPx * minPx;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (p * m >= raw) return p * m;
  return p * 10;
}

/** Screen y range [top, bottom) of trace `ti`'s lanes. */
export function sectionSpan(s: Scene, ti: number): [number, number] {
  let top = Infinity;
  let bottom = -Infinity;
  for (const l of s.lanes) {
    if (l.trace !== ti) continue;
    top = Math.min(top, l.y);
    bottom = Math.max(bottom, l.y + l.h);
  }
  const off = RULER_H - s.vp.scrollY;
  return [Math.max(RULER_H, top + off), bottom + off];
}

export function renderMain(ctx: CanvasRenderingContext2D, s: Scene, charW: number): FrameStats {
  const started = performance.now();
  const th = s.theme;
  const { width, height, dpr } = s.vp;
  const w = Math.max(1, width - LABEL_W);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const b = new RectBatch(width, height);
  const font = `${th.fontPx - 1}px ${th.font}`;
  const bold = `600 ${th.fontPx}px ${th.font}`;
  const off = RULER_H - s.vp.scrollY;
  let drawn = 0;
  b.setClip({ x: LABEL_W, y: RULER_H, w, h: height - RULER_H });
  for (const m of s.models) {
    m.scanStats.raw = 0;
    m.scanStats.lod = 0;
    m.scanStats.most = 0;
  }
  let stripe = false;
  let bottom = RULER_H;
  for (const l of s.lanes) {
    const y = l.y + off;
    if (y + l.h < RULER_H || y > height) {
      if (l.kind === 'thread') stripe = !stripe;
      continue;
    }
    drawn++;
    const m = s.models[l.trace];
    // each lane's background once (no fill of the whole canvas first: a frame's pixels are its cost)
    const header = l.kind === 'section' || l.kind === 'side' || l.kind === 'group';
    b.rect(header ? th.headerBg : l.kind === 'thread' && (stripe = !stripe) ? th.laneAlt : th.bg, 0, y, width, l.h - 1);
    b.rect(th.border, 0, y + l.h - 1, width, 1);
    bottom = y + l.h;
    const c: LaneCtx = { s, m, b, a0: s.vp.v0 + m.t0, a1: s.vp.v1 + m.t0, w, y, charW, font };
    switch (l.kind) {
      case 'thread':
        drawThread(c, l);
        drawInstants(c, l);
        break;
      case 'mutex':
        drawMutex(c, l);
        break;
      case 'counter':
        drawCounter(c, l);
        break;
      case 'stages':
        drawStages(c, l);
        break;
      case 'summary':
        drawSummary(c, l, density(s, l));
        break;
      default:
        break;
    }
  }
  b.endRun();
  if (bottom < height) b.rect(th.bg, 0, bottom, width, height - bottom);
  drawMarkers(s, b);
  b.setClip({ x: 0, y: RULER_H, w: width, h: height - RULER_H });
  drawLabels(s, b, font, bold, charW);
  b.setClip(null);
  drawRuler(s, b, font);
  const filling = performance.now();
  b.present(ctx, dpr);
  const fill = performance.now() - filling;
  // all the wait arrows in view only when there are few and they are long enough to read as
  // arrows (else a selected lane shows its own, on the overlay)
  const k = w / (s.vp.v1 - s.vp.v0);
  const flows = flowsInView(s, 150, (ti, _f, _t, i) => {
    const c = s.models[ti].tl.cols;
    return (c.flow_t1[i] - c.flow_t0[i]) * k >= 3;
  });
  if (flows !== null && flows.length > 0) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(LABEL_W, RULER_H, w, height - RULER_H);
    ctx.clip();
    drawFlows(ctx, s, flows);
    ctx.restore();
  }
  const sum = (f: (m: Scene['models'][number]) => number) => s.models.reduce((n, m) => n + f(m), 0);
  return { rects: b.count, lanes: drawn, ms: performance.now() - started, fill_ms: fill, rawScans: sum((m) => m.scanStats.raw), lodScans: sum((m) => m.scanStats.lod), mostRuns: Math.max(...s.models.map((m) => m.scanStats.most)), columns: w };
}

function drawMarkers(s: Scene, b: RectBatch): void {
  const th = s.theme;
  const w = Math.max(1, s.vp.width - LABEL_W);
  const xOf = (t: number) => LABEL_W + ((t - s.vp.v0) * w) / (s.vp.v1 - s.vp.v0);
  s.models.forEach((m, ti) => {
    const [top, bottom] = sectionSpan(s, ti);
    for (const mk of m.tl.meta.markers) {
      const x = xOf(mk.time_ns - m.t0);
      if (x < LABEL_W - 2 || x > s.vp.width + 2) continue;
      b.rect(th.marker[mk.kind] ?? th.fg, Math.round(x) - 1, top, 2, bottom - top);
    }
    const d = s.divergence;
    if (d && d.kind !== 'none' && d.time_ns[ti] >= 0) {
      const x = Math.round(xOf(d.time_ns[ti]));
      if (x >= LABEL_W && x <= s.vp.width) for (let y = top; y < bottom; y += 8) b.rect(th.divergence, x - 1, y, 2, Math.min(5, bottom - y));
    }
  });
}

function drawLabels(s: Scene, b: RectBatch, font: string, bold: string, charW: number): void {
  const th = s.theme;
  const off = RULER_H - s.vp.scrollY;
  for (const l of s.lanes) {
    const y = l.y + off;
    if (y + l.h < RULER_H || y > s.vp.height) continue;
    const header = l.kind === 'section' || l.kind === 'side' || l.kind === 'group';
    b.rect(header ? th.headerBg : th.bg, 0, y, LABEL_W, l.h - 1);
    if (l.key === s.focusKey) b.rect(th.focus, 0, y, 3, l.h - 1);
    if (l.key === s.selectedKey) b.rect(th.selection, 0, y, LABEL_W, l.h - 1);
    const x = 8 + l.indent * 12;
    const arrow = l.collapsed !== undefined ? (l.collapsed ? '▸ ' : '▾ ') : '';
    const f = header ? bold : font;
    const ly = l.kind === 'thread' ? y + 10 : y + l.h / 2;
    // a thread with frames: a chevron at the right says whether they are shown (click toggles)
    const chevron = l.kind === 'thread' && (l.depth ?? 0) > 0;
    b.text(fit(`${arrow}${l.label}`, LABEL_W - x - (chevron ? 18 : 4), charW), x, ly, header || l.kind === 'thread' ? th.fg : th.muted, f);
    if (chevron) b.text(l.frames ? '⌄' : '›', LABEL_W - 10, ly - (l.frames ? 3 : 0), th.muted, bold, 'center');
    if (l.kind === 'section') {
      const meta = s.models[l.trace].tl.meta;
      b.text(`${meta.file}: ${meta.source === 'qemu' ? `a real QEMU run (${meta.qemu_version || 'QEMU'})` : `simulated, seed ${meta.seed}, ${meta.profile}`}`, LABEL_W + 8, ly, th.fg, font);
    }
  }
  b.rect(th.border, LABEL_W - 1, RULER_H, 1, s.vp.height - RULER_H);
}

function drawRuler(s: Scene, b: RectBatch, font: string): void {
  const th = s.theme;
  const w = Math.max(1, s.vp.width - LABEL_W);
  const nsPx = (s.vp.v1 - s.vp.v0) / w;
  b.rect(th.headerBg, 0, 0, s.vp.width, RULER_H);
  b.rect(th.bg, 0, 0, LABEL_W, RULER_H);
  b.rect(th.border, 0, RULER_H - 1, s.vp.width, 1);
  const step = tickStep(nsPx);
  const first = Math.ceil(s.vp.v0 / step) * step;
  for (let t = first; t <= s.vp.v1; t += step) {
    const x = LABEL_W + (t - s.vp.v0) / nsPx;
    b.rect(th.muted, Math.round(x), RULER_H - 7, 1, 6);
    b.text(fmtTick(t, step, Math.max(Math.abs(s.vp.v0), Math.abs(s.vp.v1))), Math.round(x) + 3, 9, th.muted, font);
  }
  b.text(s.models.length > 1 ? 'time from each run\u2019s start' : 'time from the first event', 8, 9, th.muted, font);
  // the final status, the markers and the divergence as flags on the ruler, left to right, each
  // moved right of the one before when they would overlap
  const flags: { x: number; label: string; color: string }[] = [];
  const many = s.models.length > 1;
  s.models.forEach((m, ti) => {
    const tag = many ? `${m.tl.meta.label}: ` : '';
    for (const st of m.tl.meta.stages) if (st.kind === 'done') flags.push({ x: LABEL_W + (st.start_ns - m.t0 - s.vp.v0) / nsPx, label: `${tag}${st.label}`, color: st.label === 'completed' ? th.state[0] : th.marker.failed });
    for (const mk of m.tl.meta.markers) flags.push({ x: LABEL_W + (mk.time_ns - m.t0 - s.vp.v0) / nsPx, label: `${tag}${mk.label}`, color: th.marker[mk.kind] ?? th.fg });
    const d = s.divergence;
    if (ti === 0 && d && d.kind !== 'none') flags.push({ x: LABEL_W + ((d.time_ns[0] >= 0 ? d.time_ns[0] : d.time_ns[1]) - s.vp.v0) / nsPx, label: 'first divergence', color: th.divergence });
  });
  flags.sort((p, q) => p.x - q.x);
  // flags at the same pixel become one
  for (let i = flags.length - 1; i > 0; i--) {
    if (Math.abs(flags[i].x - flags[i - 1].x) < 3) {
      flags[i - 1].label = `${flags[i - 1].label} · ${flags[i].label}`;
      flags.splice(i, 1);
    }
  }
  let right = LABEL_W;
  for (const f of flags) {
    if (f.x < LABEL_W || f.x > s.vp.width) continue;
    const tw = Math.min(260, f.label.length * 6.5 + 8);
    let left = Math.max(f.x, right + 2);
    if (left + tw > s.vp.width) left = Math.max(right + 2, s.vp.width - tw);
    if (left + tw > s.vp.width + 1) left = Math.max(LABEL_W, s.vp.width - tw);
    // a tick from the flag down to its time when it had to move
    if (left > f.x + 1) b.rect(f.color, Math.round(f.x), 19, 1, 15);
    b.rect(f.color, left, 19, tw, 13);
    b.text(fit(f.label, tw - 6, 6.2), left + 3, 25.5, th.bg, font);
    right = left + tw;
  }
}

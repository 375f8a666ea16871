// The report's charts, in guestperf's manner: per iteration, what remained at its dirty-bitmap
// sync and what was sent during it; bandwidth and dirty pages rate over time; the CPU throttle.
// Plain Canvas2D with axes, ticks and a legend; one series per trace shown.

import type { Theme } from './theme';
import { fmtValue } from './format';
import { el } from './dom';

export interface Series {
  label: string;
  color: string;
  t: ArrayLike<number>;
  v: ArrayLike<number>;
}

const W = 900;
const H = 220;
const PAD = { l: 86, r: 16, t: 28, b: 34 };

function canvas(title: string): { c: HTMLCanvasElement; ctx: CanvasRenderingContext2D; box: HTMLElement } {
  const dpr = window.devicePixelRatio || 1;
  const c = el('canvas', { class: 'mt-chart', role: 'img', 'aria-label': title });
  c.width = W * dpr;
  c.height = H * dpr;
  c.style.width = `${W}px`;
  c.style.height = `${H}px`;
  const ctx = c.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { c, ctx, box: el('figure', { class: 'mt-figure' }, el('figcaption', {}, title), c) };
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (p * m >= v) return p * m;
  return p * 10;
}

function axes(ctx: CanvasRenderingContext2D, th: Theme, ymax: number, unit: string, xlabels: { x: number; s: string }[]): void {
  ctx.fillStyle = th.bg;
  ctx.fillRect(0, 0, W, H);
  ctx.font = `${th.fontPx - 1}px ${th.font}`;
  ctx.textBaseline = 'middle';
  ctx.strokeStyle = th.border;
  ctx.fillStyle = th.muted;
  ctx.lineWidth = 1;
  for (let k = 0; k <= 4; k++) {
    const y = PAD.t + ((H - PAD.t - PAD.b) * (4 - k)) / 4;
    ctx.beginPath();
    ctx.moveTo(PAD.l, Math.round(y) + 0.5);
    ctx.lineTo(W - PAD.r, Math.round(y) + 0.5);
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.fillText(fmtValue((ymax * k) / 4, unit), PAD.l - 6, y);
  }
  ctx.textAlign = 'center';
  for (const l of xlabels) ctx.fillText(l.s, l.x, H - PAD.b + 14);
}

function legend(ctx: CanvasRenderingContext2D, th: Theme, items: { label: string; color: string }[]): void {
  let x = PAD.l;
  ctx.textAlign = 'left';
  for (const it of items) {
    ctx.fillStyle = it.color;
    ctx.fillRect(x, 9, 12, 10);
    ctx.fillStyle = th.fg;
    ctx.fillText(it.label, x + 16, 14);
    x += 24 + ctx.measureText(it.label).width;
  }
}

/** Lines over time (seconds from each run's start). */
export function lineChart(th: Theme, title: string, unit: string, series: Series[]): HTMLElement {
  const { ctx, box } = canvas(title);
  let tmax = 0;
  let vmax = 0;
  for (const s of series) for (let i = 0; i < s.t.length; i++) {
    tmax = Math.max(tmax, s.t[i]);
    vmax = Math.max(vmax, s.v[i]);
  }
  tmax = Math.max(tmax, 1);
  if (vmax <= 0) {
    const note = el('p', { class: 'mt-muted' }, `${title}: ${series.some((s) => s.t.length > 0) ? 'zero throughout' : 'no samples'}`);
    return el('figure', { class: 'mt-figure' }, note);
  }
  const ymax = niceMax(vmax);
  const x = (t: number) => PAD.l + ((W - PAD.l - PAD.r) * t) / tmax;
  const y = (v: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / ymax);
  const xl = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ x: x(f * tmax), s: `${((f * tmax) / 1e9).toFixed(tmax < 1e10 ? 2 : 0)} s` }));
  axes(ctx, th, ymax, unit, xl);
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let i = 0; i < s.t.length; i++) {
      if (i === 0) ctx.moveTo(x(s.t[i]), y(s.v[i]));
      else {
        ctx.lineTo(x(s.t[i]), y(s.v[i - 1]));
        ctx.lineTo(x(s.t[i]), y(s.v[i]));
      }
    }
    ctx.stroke();
  }
  legend(ctx, th, series);
  if (series.every((s) => s.t.length === 0)) {
    ctx.fillStyle = th.muted;
    ctx.textAlign = 'center';
    ctx.fillText('no samples', W / 2, H / 2);
  }
  return box;
}

/** Grouped bars: one group per label, one bar per series. */
export function barChart(th: Theme, title: string, unit: string, groups: string[], series: { label: string; color: string; values: number[] }[]): HTMLElement {
  const { ctx, box } = canvas(title);
  const vmax = Math.max(0, ...series.flatMap((s) => s.values.filter((v) => Number.isFinite(v))));
  const ymax = niceMax(vmax);
  const gw = (W - PAD.l - PAD.r) / Math.max(1, groups.length);
  const every = Math.max(1, Math.ceil(groups.length / 16));
  axes(ctx, th, ymax, unit, groups.map((s, i) => ({ x: PAD.l + gw * (i + 0.5), s: i % every === 0 ? s : '' })));
  const bw = Math.max(1, Math.min(28, (gw * 0.8) / Math.max(1, series.length)));
  series.forEach((s, k) => {
    ctx.fillStyle = s.color;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v) || v <= 0) return;
      const h = ((H - PAD.t - PAD.b) * v) / ymax;
      const x0 = PAD.l + gw * (i + 0.5) - (bw * series.length) / 2 + k * bw;
      ctx.fillRect(x0, H - PAD.b - h, bw - 1, h);
    });
  });
  legend(ctx, th, series);
  return box;
}

// Looking into the timeline page from a test: where its lanes are, what colours its canvas holds
// along a row (read back from the canvas, i.e. what was drawn), the view's time window, and
// waiting for the next frames. The view object (window.migtrace) is read, never driven: gestures
// go through real mouse and keyboard events.

import type { Page } from 'playwright-core';
import { LABEL_W, RULER_H } from '../../media/layout';

export interface LaneBox {
  key: string;
  kind: string;
  label: string;
  /** screen y of the lane's top, and its height */
  y: number;
  h: number;
  tid?: number;
  collapsed?: boolean;
  frames?: boolean;
}

export interface ViewInfo {
  /** the canvas's top left corner in the page (mouse events take page coordinates) */
  ox: number;
  oy: number;
  v0: number;
  v1: number;
  scrollY: number;
  width: number;
  height: number;
  lanes: LaneBox[];
}

export const TRACK_X = LABEL_W;
export const TOP = RULER_H;

export function frames(page: Page, n = 2): Promise<void> {
  return page.evaluate((k) => new Promise<void>((r) => {
    const step = (left: number) => (left <= 0 ? r() : requestAnimationFrame(() => step(left - 1)));
    step(k);
  }), n);
}

export function view(page: Page): Promise<ViewInfo> {
  return page.evaluate(({ top }) => {
    const v = (window as unknown as { migtrace: any }).migtrace;
    const vp = v.scene.vp;
    const r = (document.querySelector('canvas.mt-main') as HTMLCanvasElement).getBoundingClientRect();
    return {
      ox: r.left, oy: r.top,
      v0: vp.v0, v1: vp.v1, scrollY: vp.scrollY, width: vp.width, height: vp.height,
      lanes: v.scene.lanes.map((l: any) => ({ key: l.key, kind: l.kind, label: l.label, y: l.y + top - vp.scrollY, h: l.h, tid: l.tid, collapsed: l.collapsed, frames: l.frames })),
    };
  }, { top: TOP });
}

export async function lane(page: Page, pred: (l: LaneBox) => boolean): Promise<LaneBox> {
  const l = (await view(page)).lanes.find(pred);
  if (!l) throw new Error('no such lane');
  return l;
}

/** Canvas x of relative time t, and back. */
export function xOf(v: ViewInfo, t: number): number {
  return TRACK_X + ((t - v.v0) * (v.width - TRACK_X)) / (v.v1 - v.v0);
}

export function tOf(v: ViewInfo, x: number): number {
  return v.v0 + ((x - TRACK_X) * (v.v1 - v.v0)) / (v.width - TRACK_X);
}

/** The colours along canvas row y from x0 to x1, as "r,g,b" → pixel count (read back from the main canvas). */
export function rowColors(page: Page, y: number, x0 = TRACK_X, x1?: number): Promise<Record<string, number>> {
  return page.evaluate(({ y, x0, x1 }) => {
    const c = document.querySelector('canvas.mt-main') as HTMLCanvasElement;
    const dpr = c.width / c.clientWidth;
    const ctx = c.getContext('2d')!;
    const from = Math.round(x0 * dpr);
    const to = Math.round((x1 ?? c.clientWidth) * dpr);
    const d = ctx.getImageData(from, Math.round(y * dpr), Math.max(1, to - from), 1).data;
    const out: Record<string, number> = {};
    for (let i = 0; i < d.length; i += 4) {
      const k = `${d[i]},${d[i + 1]},${d[i + 2]}`;
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  }, { y, x0, x1 });
}

/** The theme's colours as "r,g,b", as the renderer uses them. */
export function themeColors(page: Page): Promise<{ state: string[]; lock: string[]; stage: Record<string, string>; bg: string; marker: Record<string, string> }> {
  return page.evaluate(() => {
    const th = (window as unknown as { migtrace: any }).migtrace.scene.theme;
    const rgb = (s: string) => (/rgb\((\d+),(\d+),(\d+)\)/.exec(s) ?? ['', '0', '0', '0']).slice(1).join(',');
    const map = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, rgb(v)]));
    return { state: th.state.map(rgb), lock: th.lock.map(rgb), stage: map(th.stage), bg: rgb(th.bg), marker: map(th.marker) };
  });
}

/** Page coordinates of canvas point (x, y). */
export function at(v: ViewInfo, x: number, y: number): [number, number] {
  return [v.ox + x, v.oy + y];
}

export function text(page: Page, selector: string): Promise<string> {
  return page.evaluate((s) => (document.querySelector(s) as HTMLElement | null)?.innerText ?? '', selector);
}

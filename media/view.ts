// The timeline view: owns the canvases, the scene (what a frame shows) and the panels, and turns
// the user's gestures (input.ts) into changes of the scene. Drawing happens once per animation
// frame when something changed; the overlay (hover, range, session cursor) redraws on its own.

import type { Timeline } from '../engine/trace/timelineData';
import { TraceModel } from './model';
import { layoutLanes, LABEL_W, RULER_H, type Lane, type Toggles } from './layout';
import type { Scene, Viewport } from './scene';
import { readTheme } from './theme';
import { renderMain, type FrameStats } from './render';
import { renderOverlay } from './overlay';
import { timeAt, type Hit } from './hit';
import { describeHit } from './describe';
import { Details } from './details';
import { aggregate } from './aggregate';
import { el } from './dom';
import { fmtNs } from './format';
import { bindInput } from './input';
import { Tooltip } from './tooltip';
import { SearchBox } from './searchBox';
import { Legend } from './legend';

export interface ViewHost {
  /** editor mode: start a replay session; null in the report */
  replay: ((trace: number, time_ns: number) => void) | null;
  /** seek the running session (only called while one runs) */
  seek: (trace: number, time_ns: number) => void;
  saveState: (s: SavedState) => void;
}

export interface SavedState {
  file: string;
  v0: number;
  v1: number;
  scrollY: number;
  toggles: string[];
  selectedKey: string | null;
}

export class TimelineView {
  readonly models: TraceModel[];
  readonly scene: Scene;
  readonly canvas: HTMLCanvasElement;
  readonly overlay: HTMLCanvasElement;
  readonly wrap: HTMLElement;
  readonly details: Details;
  readonly tooltip: Tooltip;
  readonly live: HTMLElement;
  toggles: Toggles = new Set();
  hover: Hit | null = null;
  mouse: { x: number; y: number } | null = null;
  selected: Hit | null = null;
  sessionActive = [false, false];
  frames: FrameStats[] = [];
  firstPaintMs = -1;
  private dirty = false;
  private overlayDirty = false;
  private raf = 0;
  private saveTimer = 0;
  private charW = 7;
  readonly duration: number;

  constructor(readonly root: HTMLElement, readonly tl: Timeline, readonly host: ViewHost, saved: SavedState | null) {
    this.models = tl.traces.map((t, i) => new TraceModel(t, i));
    this.duration = Math.max(...this.models.map((m) => m.duration));
    this.wrap = el('div', { class: 'mt-canvas-wrap', tabindex: 0, role: 'application', 'aria-label': 'migtrace timeline: W/S zoom, A/D pan, arrows move between lanes, Enter expands, ? for keys' });
    this.canvas = el('canvas', { class: 'mt-main', 'aria-hidden': 'true' });
    this.overlay = el('canvas', { class: 'mt-overlay', 'aria-hidden': 'true' });
    this.tooltip = new Tooltip(this.wrap);
    this.live = el('div', { class: 'mt-live', 'aria-live': 'polite' });
    this.wrap.append(this.canvas, this.overlay, this.tooltip.el, this.live);
    const detailsEl = el('div', { class: 'mt-details', role: 'region', 'aria-label': 'details' });
    const search = new SearchBox(this);
    const theme = readTheme();
    const legend = new Legend(theme);
    search.el.append(legend.el);
    root.append(search.el, this.wrap, detailsEl);
    this.details = new Details(detailsEl, this.models, { replay: host.replay ? (ti, t) => host.replay!(ti, t) : null, zoom: (a, b) => this.zoomTo(a, b) });
    const file = this.models.map((m) => m.tl.meta.file).join('+');
    const ok = saved !== null && saved.file === file;
    if (ok) this.toggles = new Set(saved!.toggles);
    const { lanes, height } = layoutLanes(this.models, this.toggles);
    const vp: Viewport = ok ? { v0: saved!.v0, v1: saved!.v1, scrollY: saved!.scrollY, width: 800, height: 400, dpr: 1 } : { v0: 0, v1: this.duration * 1.02, scrollY: 0, width: 800, height: 400, dpr: 1 };
    this.scene = { models: this.models, lanes, contentHeight: height, theme, vp, divergence: tl.divergence, highlightFns: null, range: null, session: null, focusKey: null, selectedKey: ok ? saved!.selectedKey : null };
    this.details.showSummary();
    bindInput(this);
    new ResizeObserver(() => this.resize()).observe(this.wrap);
    const retheme = () => {
      this.scene.theme = readTheme();
      legend.update(this.scene.theme);
      this.invalidate();
    };
    new MutationObserver(retheme).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
    new MutationObserver(retheme).observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    this.resize();
  }

  resize(): void {
    const r = this.wrap.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const vp = this.scene.vp;
    vp.width = Math.max(LABEL_W + 50, Math.floor(r.width));
    vp.height = Math.max(RULER_H + 40, Math.floor(r.height));
    vp.dpr = dpr;
    for (const c of [this.canvas, this.overlay]) {
      c.width = Math.floor(vp.width * dpr);
      c.height = Math.floor(vp.height * dpr);
      c.style.width = `${vp.width}px`;
      c.style.height = `${vp.height}px`;
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.font = `${this.scene.theme.fontPx - 1}px ${this.scene.theme.font}`;
    this.charW = ctx.measureText('abcdefghijklmnopqrstuvwxyz_0123456789').width / 37 || 7;
    this.clampScroll();
    this.invalidate();
  }

  relayout(): void {
    const { lanes, height } = layoutLanes(this.models, this.toggles);
    this.scene.lanes = lanes;
    this.scene.contentHeight = height;
    this.clampScroll();
    this.invalidate();
  }

  invalidate(): void {
    this.dirty = true;
    this.overlayDirty = true;
    this.schedule();
    this.persist();
  }

  invalidateOverlay(): void {
    this.overlayDirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.raf === 0) this.raf = requestAnimationFrame(() => this.paint());
  }

  /** Draws now what changed (tests and the benchmark call it to time a frame). */
  paint(): FrameStats | null {
    this.raf = 0;
    let st: FrameStats | null = null;
    if (this.dirty) {
      this.dirty = false;
      st = renderMain(this.canvas.getContext('2d')!, this.scene, this.charW);
      this.frames.push(st);
      if (this.frames.length > 600) this.frames.splice(0, 300);
      if (this.firstPaintMs < 0) {
        this.firstPaintMs = performance.now();
        document.body.dataset.migtraceState = 'painted';
      }
    }
    if (this.overlayDirty) {
      this.overlayDirty = false;
      renderOverlay(this.overlay.getContext('2d')!, this);
    }
    return st;
  }

  private persist(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => {
      this.saveTimer = 0;
      const vp = this.scene.vp;
      this.host.saveState({ file: this.models.map((m) => m.tl.meta.file).join('+'), v0: vp.v0, v1: vp.v1, scrollY: vp.scrollY, toggles: [...this.toggles], selectedKey: this.scene.selectedKey });
    }, 200);
  }

  get trackW(): number {
    return Math.max(1, this.scene.vp.width - LABEL_W);
  }

  xOf(t: number): number {
    const vp = this.scene.vp;
    return LABEL_W + ((t - vp.v0) * this.trackW) / (vp.v1 - vp.v0);
  }

  timeAt(x: number): number {
    return timeAt(this.scene, x);
  }

  setView(v0: number, v1: number): void {
    const minW = 50;
    const maxW = this.duration * 1.5;
    let w = Math.min(maxW, Math.max(minW, v1 - v0));
    let a = (v0 + v1) / 2 - w / 2;
    const lo = -0.25 * this.duration;
    const hi = 1.25 * this.duration;
    if (a < lo) a = lo;
    if (a + w > hi) a = Math.max(lo, hi - w);
    if (!Number.isFinite(a) || !Number.isFinite(w)) return;
    w = Math.max(minW, w);
    this.scene.vp.v0 = a;
    this.scene.vp.v1 = a + w;
    this.invalidate();
  }

  /** Zooms by `factor` (< 1 zooms in) keeping the time under canvas x where it is. */
  zoomAt(factor: number, x: number): void {
    const vp = this.scene.vp;
    const f = Math.min(1, Math.max(0, (x - LABEL_W) / this.trackW));
    const t = vp.v0 + f * (vp.v1 - vp.v0);
    const w = (vp.v1 - vp.v0) * factor;
    this.setView(t - f * w, t - f * w + w);
  }

  panBy(px: number): void {
    const vp = this.scene.vp;
    const dt = (px * (vp.v1 - vp.v0)) / this.trackW;
    this.setView(vp.v0 + dt, vp.v1 + dt);
  }

  scrollBy(dy: number): void {
    this.scene.vp.scrollY += dy;
    this.clampScroll();
    this.invalidate();
  }

  private clampScroll(): void {
    const vp = this.scene.vp;
    const max = Math.max(0, this.scene.contentHeight - (vp.height - RULER_H));
    vp.scrollY = Math.min(max, Math.max(0, vp.scrollY));
  }

  fit(): void {
    this.setView(0, this.duration * 1.02);
  }

  zoomTo(a: number, b: number): void {
    const pad = (b - a) * 0.05;
    this.setView(a - pad, b + pad);
  }

  /** Brings lane `key` into view (scrolling) and gives it keyboard focus. */
  revealLane(key: string): void {
    const l = this.scene.lanes.find((x) => x.key === key);
    if (!l) return;
    const vp = this.scene.vp;
    const visible = vp.height - RULER_H;
    if (l.y < vp.scrollY || l.y + l.h > vp.scrollY + visible) vp.scrollY = l.y - visible / 3;
    this.clampScroll();
    this.scene.focusKey = key;
    this.invalidate();
  }

  toggleLane(l: Lane): void {
    if (l.kind === 'side' || l.kind === 'group' || l.kind === 'thread') {
      if (this.toggles.has(l.key)) this.toggles.delete(l.key);
      else this.toggles.add(l.key);
      this.relayout();
      const now = this.scene.lanes.find((x) => x.key === l.key);
      this.announce(`${l.label}: ${now?.collapsed === true ? 'collapsed' : now?.collapsed === false ? 'expanded' : now?.frames ? 'frames shown' : 'frames hidden'}`);
    }
  }

  announce(text: string): void {
    this.live.textContent = text;
  }

  /** A click on `h`: select it, show its details, and seek a running session there. */
  select(h: Hit): void {
    this.selected = h;
    this.scene.range = null;
    if ('lane' in h && h.kind !== 'label') this.scene.selectedKey = h.lane.key;
    const d = describeHit(this.scene, h);
    if (d) {
      this.details.showItem(d);
      this.announce(`${d.title}. ${d.lines.join('. ')}`);
      // a running debug session goes to the time clicked
      const trace = 'trace' in h ? h.trace : -1;
      if (trace >= 0 && 't' in h && this.sessionActive[trace]) this.host.seek(trace, Math.max(0, Math.round(h.t + this.models[trace].t0)));
    }
    this.invalidate();
  }

  selectRange(t0: number, t1: number): void {
    const a = Math.min(t0, t1);
    const b = Math.max(t0, t1);
    this.scene.range = { t0: a, t1: b };
    this.selected = null;
    this.details.showRange(a, b, this.models.map((m) => aggregate(m, a, b)));
    this.announce(`range ${fmtNs(a)} to ${fmtNs(b)} selected`);
    this.invalidateOverlay();
  }

  clearSelection(): void {
    this.selected = null;
    this.scene.range = null;
    this.scene.selectedKey = null;
    this.details.showSummary();
    this.invalidate();
  }

  /** The time "Replay to here" uses: the selection's, else the range's start. */
  replayTarget(): { trace: number; t: number } | null {
    if (this.selected) {
      const d = describeHit(this.scene, this.selected);
      if (d?.at) return d.at;
    }
    if (this.scene.range) return { trace: 0, t: this.scene.range.t0 };
    return null;
  }

  setSession(trace: number, active: boolean, name: string): void {
    this.sessionActive[trace] = active;
    if (!active && this.scene.session?.trace === trace) this.scene.session = null;
    document.body.dataset.migtraceSession = this.sessionActive.some((x) => x) ? 'active' : 'none';
    this.announce(active ? `following debug session ${name}` : `debug session ${name} ended`);
    this.invalidateOverlay();
  }

  /** The session stopped at absolute `time_ns` of trace `trace`: show it, and bring it into view. */
  setStopped(trace: number, time_ns: number): void {
    const m = this.models[trace];
    if (!m) return;
    const t = time_ns - m.t0;
    this.scene.session = { trace, t };
    const vp = this.scene.vp;
    if (t < vp.v0 || t > vp.v1) {
      const w = vp.v1 - vp.v0;
      this.setView(t - w / 2, t + w / 2);
    }
    this.invalidateOverlay();
  }
}

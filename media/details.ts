// The panel under the timeline: what is selected (a span, a marker, a stage) with "Replay to here"
// and "Zoom to", or a range's aggregate tables (locks by stage, threads by state), or, when
// nothing is selected, the run's outcome and the keys. All text goes in as text (dom.ts).

import { clear, el, table } from './dom';
import type { Described } from './describe';
import type { Aggregate } from './aggregate';
import type { TraceModel } from './model';
import { fmtNs, pct } from './format';

export interface DetailsActions {
  /** editor: start a replay session; null in the report */
  replay: ((trace: number, t: number) => void) | null;
  zoom: (t0: number, t1: number) => void;
}

const STATE_COLS = ['running', 'runnable', 'blocked', 'sleeping', 'io', 'stopped'];

export class Details {
  constructor(private readonly root: HTMLElement, private readonly models: TraceModel[], private readonly act: DetailsActions) {}

  private buttons(at: { trace: number; t: number } | undefined, span: [number, number] | undefined): HTMLElement {
    const bar = el('div', { class: 'mt-actions' });
    if (at !== undefined) {
      const m = this.models[at.trace];
      const abs = Math.round(at.t + m.t0);
      if (this.act.replay !== null) {
        const b = el('button', { type: 'button', class: 'mt-primary', 'data-action': 'replay', title: `Start a migtrace debug session of ${m.tl.meta.file} stopped at ${fmtNs(abs)}` }, `Replay to here (${fmtNs(at.t)})`);
        b.addEventListener('click', () => this.act.replay!(at.trace, abs));
        bar.append(b);
      } else if (m.tl.meta.source !== 'qemu') {
        bar.append(el('span', { class: 'mt-muted' }, 'Replay to here in VS Code: '), el('code', { class: 'mt-code' }, JSON.stringify({ type: 'migtrace', request: 'launch', name: 'Replay to here', trace: m.tl.meta.file, stopAtTime: abs })));
      }
    }
    if (span !== undefined && span[1] > span[0]) {
      const z = el('button', { type: 'button', 'data-action': 'zoom' }, 'Zoom to');
      z.addEventListener('click', () => this.act.zoom(span[0], span[1]));
      bar.append(z);
    }
    return bar;
  }

  showItem(d: Described): void {
    clear(this.root);
    this.root.append(el('h3', { class: 'mt-title' }, d.title));
    for (const line of d.lines) this.root.append(el('div', { class: 'mt-line' }, line));
    this.root.append(this.buttons(d.at, d.span));
  }

  showRange(r0: number, r1: number, aggs: Aggregate[]): void {
    clear(this.root);
    this.root.append(el('h3', { class: 'mt-title' }, `Range ${fmtNs(r0)} → ${fmtNs(r1)} (${fmtNs(r1 - r0)})`));
    this.root.append(this.buttons({ trace: 0, t: r0 }, [r0, r1]));
    aggs.forEach((ag, ti) => {
      const tag = this.models.length > 1 ? `${this.models[ti].tl.meta.label}: ` : '';
      if (ag.locks.length > 0) {
        this.root.append(table(
          ['mutex', 'stage', 'acquisitions', 'contentions', 'wait total', 'wait max', 'hold total', 'hold max', 'longest held by'],
          ag.locks.map((r) => [r.mutex, r.stage, r.acquisitions, r.contentions, fmtNs(r.wait_total), fmtNs(r.wait_max), fmtNs(r.hold_total), fmtNs(r.hold_max), r.longest_holder]),
          [2, 3, 4, 5, 6, 7],
          `${tag}locks in the range, by migration stage (acquisitions that begin in it; waits that end in it)`,
        ));
      } else {
        this.root.append(el('div', { class: 'mt-line mt-muted' }, `${tag}no lock was taken in the range`));
      }
      if (ag.threads.length > 0) {
        this.root.append(table(
          ['thread', ...STATE_COLS],
          ag.threads.map((r) => [r.thread, ...r.states.map((ns) => (ns > 0 ? `${fmtNs(ns)} (${pct(ns, r.total)})` : '-'))]),
          [1, 2, 3, 4, 5, 6],
          `${tag}time in each state`,
        ));
      }
    });
  }

  /** Nothing selected: the runs' outcome, and how to use the view. */
  showSummary(): void {
    clear(this.root);
    for (const m of this.models) {
      const meta = m.tl.meta;
      const s = meta.summary as { outcome?: string; status?: string; reason?: string; 'total-time'?: number; downtime?: number } | null;
      const tag = this.models.length > 1 ? `${meta.label}: ` : '';
      const outcome = s ? `${s.outcome ?? s.status ?? 'unknown'}${s.reason ? `: ${s.reason}` : ''}` : 'unknown (no footer)';
      this.root.append(el('div', { class: 'mt-line' }, el('b', {}, `${tag}outcome `), meta.hang ? `${s?.outcome ?? 'hang'} (${meta.hang.kind} at ${fmtNs(meta.hang.time_ns - m.t0)}: the red line; its threads' lanes end in red where they wait)` : outcome));
    }
    this.root.append(el('div', { class: 'mt-line mt-muted' }, 'Click a span for details and "Replay to here"; drag across the lanes to select a range (lock and state totals); W/S zoom, A/D pan, ctrl+wheel zooms, wheel scrolls, drag the ruler to pan; / searches; ? lists the keys.'));
  }
}

// What a frame shows: the traces, their lanes, the theme, the visible window of time and lanes,
// and what is selected, searched for or followed. Times in a Scene are relative: 0 is each trace's
// first event, so two traces share one axis.

import type { TimelineDivergence } from '../engine/trace/timelineData';
import type { Lane } from './layout';
import type { TraceModel } from './model';
import type { Theme } from './theme';

export interface Viewport {
  /** visible time, relative ns */
  v0: number;
  v1: number;
  scrollY: number;
  /** canvas size in CSS pixels */
  width: number;
  height: number;
  dpr: number;
}

export interface Scene {
  models: TraceModel[];
  lanes: Lane[];
  contentHeight: number;
  theme: Theme;
  vp: Viewport;
  divergence: TimelineDivergence | null;
  /** function ids searched for, per trace (their frames are drawn, others dimmed), or null */
  highlightFns: Set<number>[] | null;
  /** a range selection, relative ns */
  range: { t0: number; t1: number } | null;
  /** the debug session's current stop, relative ns, or null */
  session: { trace: number; t: number } | null;
  /** the lane with keyboard focus */
  focusKey: string | null;
  /** the selected lane (thread, mutex), for its flows */
  selectedKey: string | null;
}

export function trackWidth(vp: Viewport, labelW: number): number {
  return Math.max(1, vp.width - labelW);
}

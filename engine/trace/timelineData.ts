// The timeline's form of a trace: spans in columns (typed arrays, never an object per span), the
// few things there are only a handful of (threads, stages, markers, counters' names) as plain
// data. The extension host (or the CLI's report) builds it from a trace (timelineBuild.ts); the
// webview receives it as a JSON-able `meta` and a list of ArrayBuffers it can take over without a
// copy (`packTimeline` / `unpackTimeline`). No Node and no protobuf code here: the webview bundle
// imports this file.

import type { HangReport } from '../sim/hangReport';

/** Bumped when the packed layout changes; the webview refuses a layout it does not know. */
export const TIMELINE_LAYOUT = 1;

/** What a span track holds. Spans of one track never overlap and are sorted by start. */
export const TK = {
  /** a thread's states: val = state | wait kind << 3 | (wait object + 1) << 6 */
  state: 0,
  /** a thread's frames at one depth (sub): val = function id */
  frame: 1,
  /** a mutex's holds: val = holder tid */
  hold: 2,
  /** a thread's use of one mutex (sub), Tracy's lock lane: val = LOCK_USE */
  lock: 3,
  /** while threads wait for a mutex: val = how many */
  contended: 4,
} as const;

/** What a thread does with a mutex, in its lock lane. */
export const LOCK_USE = { held: 0, heldContended: 1, waiting: 2 } as const;

export const encodeState = (state: number, wait_kind: number, wait_id: number): number => state + wait_kind * 8 + (wait_id + 1) * 64;
export const stateOf = (v: number): number => v & 7;
export const waitKindOf = (v: number): number => (v >>> 3) & 7;
/** the wait object, or -1 */
export const waitIdOf = (v: number): number => Math.floor(v / 64) - 1;

export interface TimelineThread {
  tid: number;
  name: string;
  role: string;
  side: 'source' | 'destination';
  /** the lane group inside its side: main, migration, vcpu, sender, other */
  group: string;
}

export interface TimelineStage {
  start_ns: number;
  end_ns: number;
  /** setup | iteration | stop-copy | done */
  kind: string;
  label: string;
  /** for an iteration: its dirty-sync-count */
  iteration?: number;
  /** the migration never left this stage (the run hung or the trace stops) */
  unfinished?: boolean;
}

export interface TimelineMarker {
  time_ns: number;
  /** hang | fault | data-loss | failed | cancelled | truncated */
  kind: string;
  label: string;
  detail: string;
}

export interface TimelineCounter {
  name: string;
  /** bytes | bytes/s | Mbit/s | pages/s | % */
  unit: string;
}

/** One migration_bitmap_sync with what was sent and what remained then (the report's iteration chart). */
export interface TimelineSync {
  sync: number;
  time_ns: number;
  dirty_pages: number;
  remaining_bytes: number;
  transferred_bytes: number;
}

export interface TimelineMeta {
  layout: number;
  /** "model", "real", or the file's name */
  label: string;
  file: string;
  scenario: string;
  scenario_json: string;
  seed: number;
  strategy: string;
  profile: string;
  /** simulation | qemu */
  source: string;
  engine_version: string;
  qemu_version: string;
  host: string;
  format_version: number;
  ram_bytes: number;
  vcpus: number;
  events: number;
  bytes: number;
  /** the first and last event's times */
  start_ns: number;
  end_ns: number;
  complete: boolean;
  /** where reading stopped and why, in the reader's words */
  stopped: { offset: number; reason: string } | null;
  threads: TimelineThread[];
  mutexes: string[];
  conds: string[];
  sems: string[];
  functions: string[];
  stages: TimelineStage[];
  markers: TimelineMarker[];
  counters: TimelineCounter[];
  syncs: TimelineSync[];
  /** arguments of each QEMU trace point instant, '' if none */
  instant_args: string[];
  summary: unknown;
  hang: HangReport | null;
}

/** The columns of one trace's timeline. */
export interface TimelineColumns {
  /** spans of every track, track after track */
  span_start: Float64Array;
  span_end: Float64Array;
  span_val: Uint32Array;
  /** track i holds spans [track_offset[i], track_offset[i + 1]) */
  track_offset: Uint32Array;
  track_kind: Uint8Array;
  /** tid (state, frame, lock) or mutex (hold, contended) */
  track_owner: Uint32Array;
  /** depth (frame), mutex (lock), else 0 */
  track_sub: Uint32Array;
  /** flow arrows from a waiter (at t0) to the end of the hold it waited for (t1), sorted by t1 */
  flow_t0: Float64Array;
  flow_t1: Float64Array;
  flow_from: Uint32Array;
  flow_to: Uint32Array;
  flow_mutex: Uint32Array;
  /** QEMU trace point instants (real runs) */
  inst_time: Float64Array;
  inst_tid: Uint32Array;
  inst_fn: Uint32Array;
  /** counter samples, series after series (meta.counters order) */
  ctr_time: Float64Array;
  ctr_value: Float64Array;
  ctr_offset: Uint32Array;
}

export interface TimelineTrace {
  meta: TimelineMeta;
  cols: TimelineColumns;
}

/** Where two traces shown together first part ways. */
export interface TimelineDivergence {
  /** event: the first differing event of two runs of one scenario; milestone: the first stage or sync that differs */
  kind: 'event' | 'milestone' | 'none';
  /** the time in each trace (from its first event), -1 where that trace has none */
  time_ns: [number, number];
  label: string;
  detail: string;
}

export interface Timeline {
  traces: TimelineTrace[];
  divergence: TimelineDivergence | null;
}

const COLUMN_TYPES = {
  span_start: Float64Array, span_end: Float64Array, span_val: Uint32Array,
  track_offset: Uint32Array, track_kind: Uint8Array, track_owner: Uint32Array, track_sub: Uint32Array,
  flow_t0: Float64Array, flow_t1: Float64Array, flow_from: Uint32Array, flow_to: Uint32Array, flow_mutex: Uint32Array,
  inst_time: Float64Array, inst_tid: Uint32Array, inst_fn: Uint32Array,
  ctr_time: Float64Array, ctr_value: Float64Array, ctr_offset: Uint32Array,
} as const;
type ColumnName = keyof typeof COLUMN_TYPES;
export const COLUMN_NAMES = Object.keys(COLUMN_TYPES) as ColumnName[];

/** What crosses to the webview: JSON-able metadata and one ArrayBuffer per column. */
export interface PackedTimeline {
  layout: number;
  metas: TimelineMeta[];
  divergence: TimelineDivergence | null;
  /** buffers[trace × COLUMN_NAMES.length + column] */
  buffers: ArrayBuffer[];
}

/** Each column as an ArrayBuffer of exactly its bytes (copied only if it is a view into a larger one). */
export function packTimeline(tl: Timeline): PackedTimeline {
  const buffers: ArrayBuffer[] = [];
  for (const t of tl.traces) {
    for (const name of COLUMN_NAMES) {
      const a = t.cols[name];
      const whole = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer;
      buffers.push(whole ? (a.buffer as ArrayBuffer) : (a.slice().buffer as ArrayBuffer));
    }
  }
  return { layout: TIMELINE_LAYOUT, metas: tl.traces.map((t) => t.meta), divergence: tl.divergence, buffers };
}

export class TimelineLayoutError extends Error {}

/** The inverse of packTimeline; checks what it is given, since it comes from another process. */
export function unpackTimeline(p: PackedTimeline): Timeline {
  if (p.layout !== TIMELINE_LAYOUT) throw new TimelineLayoutError(`timeline data of layout ${p.layout}, this view reads layout ${TIMELINE_LAYOUT}`);
  if (!Array.isArray(p.metas) || !Array.isArray(p.buffers) || p.buffers.length !== p.metas.length * COLUMN_NAMES.length) {
    throw new TimelineLayoutError(`timeline data with ${p.buffers?.length} buffers for ${p.metas?.length} traces (expected ${COLUMN_NAMES.length} each)`);
  }
  const traces = p.metas.map((meta, ti) => {
    const cols = {} as Record<ColumnName, unknown>;
    COLUMN_NAMES.forEach((name, ci) => {
      const buf = p.buffers[ti * COLUMN_NAMES.length + ci];
      const T = COLUMN_TYPES[name];
      if (!(buf instanceof ArrayBuffer) || buf.byteLength % T.BYTES_PER_ELEMENT !== 0) throw new TimelineLayoutError(`column ${name} of trace ${ti} is not a whole ${T.name}`);
      cols[name] = new T(buf);
    });
    const c = cols as unknown as TimelineColumns;
    checkColumns(c, meta, ti);
    return { meta, cols: c };
  });
  return { traces, divergence: p.divergence };
}

function checkColumns(c: TimelineColumns, meta: TimelineMeta, ti: number): void {
  const spans = c.span_start.length;
  const bad = (what: string): never => {
    throw new TimelineLayoutError(`timeline data of trace ${ti}: ${what}`);
  };
  if (c.span_end.length !== spans || c.span_val.length !== spans) bad('span columns of different lengths');
  const tracks = c.track_kind.length;
  if (c.track_offset.length !== tracks + 1 || c.track_owner.length !== tracks || c.track_sub.length !== tracks) bad('track columns of different lengths');
  if (c.track_offset[tracks] !== spans) bad('track offsets do not cover the spans');
  for (let i = 0; i < tracks; i++) if (c.track_offset[i] > c.track_offset[i + 1]) bad(`track ${i} ends before it starts`);
  const flows = c.flow_t0.length;
  if ([c.flow_t1, c.flow_from, c.flow_to, c.flow_mutex].some((x) => x.length !== flows)) bad('flow columns of different lengths');
  if (c.inst_tid.length !== c.inst_time.length || c.inst_fn.length !== c.inst_time.length) bad('instant columns of different lengths');
  if (c.ctr_value.length !== c.ctr_time.length || c.ctr_offset.length !== meta.counters.length + 1 || c.ctr_offset[meta.counters.length] !== c.ctr_time.length) bad('counter columns do not match the counters');
  if (!Array.isArray(meta.threads) || !Array.isArray(meta.functions) || !Array.isArray(meta.stages) || !Array.isArray(meta.markers)) bad('metadata lists missing');
}

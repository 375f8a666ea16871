// The lanes, top to bottom, for each trace: its stage band, its counters, a lane per mutex, then
// its threads grouped by side (source, destination) and, inside a side, by role (main loop,
// migration, senders, vCPUs, others). Sides and groups collapse; a collapsed group of threads
// becomes one summary lane (how many of them are in each state), which is how 512 vCPUs stay
// readable. A thread lane shows its state, a lock strip per mutex it uses, and (when expanded) its
// frames, one row per call depth.

import type { TraceModel } from './model';

export type LaneKind = 'section' | 'stages' | 'counter' | 'mutex' | 'side' | 'group' | 'summary' | 'thread';

export interface Lane {
  kind: LaneKind;
  trace: number;
  key: string;
  y: number;
  h: number;
  label: string;
  /** indentation level of the label */
  indent: number;
  tid?: number;
  mutex?: number;
  counter?: number;
  /** threads of a group or summary lane */
  tids?: number[];
  collapsed?: boolean;
  /** a thread lane showing its frames */
  frames?: boolean;
  /** rows of a thread lane */
  locks?: { mutex: number; track: number }[];
  depth?: number;
}

export const LABEL_W = 210;
export const RULER_H = 34;
export const ROW = { section: 24, stages: 22, counter: 30, mutex: 28, side: 22, group: 20, summary: 30, state: 14, lock: 5, frame: 15, pad: 3 } as const;

const GROUPS: [string, string][] = [['main', 'main loop'], ['migration', 'migration'], ['sender', 'senders'], ['vcpu', 'vCPUs'], ['other', 'other threads']];
/** a group with more threads than this starts collapsed into its summary lane */
const COLLAPSE_ABOVE = 48;
/** vCPU lanes show their frames only when there are few of them */
const VCPU_FRAMES_UP_TO = 4;

/** Which keys the user toggled away from their default (collapsed sides/groups, thread frames). */
export type Toggles = Set<string>;

export function threadStateY(l: Lane): number {
  return l.y + ROW.pad;
}

export function lockRowY(l: Lane, k: number): number {
  return l.y + ROW.pad + ROW.state + 1 + k * ROW.lock;
}

export function frameRowY(l: Lane, depth: number): number {
  return l.y + ROW.pad + ROW.state + 2 + (l.locks?.length ?? 0) * ROW.lock + depth * ROW.frame;
}

export function layoutLanes(models: TraceModel[], toggles: Toggles): { lanes: Lane[]; height: number } {
  const lanes: Lane[] = [];
  let y = 0;
  const add = (l: Omit<Lane, 'y'>): Lane => {
    const lane = { ...l, y } as Lane;
    lanes.push(lane);
    y += l.h;
    return lane;
  };
  for (const m of models) {
    const ti = m.index;
    const meta = m.tl.meta;
    if (models.length > 1) add({ kind: 'section', trace: ti, key: `${ti}/section`, h: ROW.section, label: meta.label, indent: 0 });
    if (meta.stages.length > 0) add({ kind: 'stages', trace: ti, key: `${ti}/stages`, h: ROW.stages, label: 'migration stages', indent: 0 });
    m.counters.forEach((c, k) => add({ kind: 'counter', trace: ti, key: `${ti}/counter/${k}`, h: ROW.counter, label: c.name, counter: k, indent: 0 }));
    m.holds.forEach((track, mutex) => {
      if (track >= 0) add({ kind: 'mutex', trace: ti, key: `${ti}/mutex/${mutex}`, h: ROW.mutex, label: `mutex ${m.mutexName(mutex)}`, mutex, indent: 0 });
    });
    for (const side of ['source', 'destination'] as const) {
      const sideThreads = meta.threads.filter((t) => t.side === side);
      if (sideThreads.length === 0) continue;
      const sideKey = `${ti}/side/${side}`;
      const sideCollapsed = toggles.has(sideKey);
      add({ kind: 'side', trace: ti, key: sideKey, h: ROW.side, label: `${side} (${sideThreads.length} threads)`, indent: 0, collapsed: sideCollapsed, tids: sideThreads.map((t) => t.tid) });
      if (sideCollapsed) continue;
      for (const [g, name] of GROUPS) {
        const threads = sideThreads.filter((t) => t.group === g);
        if (threads.length === 0) continue;
        const tids = threads.map((t) => t.tid);
        const gKey = `${ti}/group/${side}/${g}`;
        const single = threads.length === 1;
        if (!single) {
          // many threads, or the threads of no particular role, start collapsed into a summary
          const collapsed = (threads.length > COLLAPSE_ABOVE || g === 'other') !== toggles.has(gKey);
          add({ kind: 'group', trace: ti, key: gKey, h: ROW.group, label: `${name} (${threads.length})`, indent: 1, collapsed, tids });
          if (collapsed) {
            add({ kind: 'summary', trace: ti, key: `${gKey}/summary`, h: ROW.summary, label: `${threads.length} ${name}: states`, indent: 2, tids });
            continue;
          }
        }
        for (const t of threads) {
          const tracks = m.threads[t.tid];
          const tKey = `${ti}/t/${t.tid}`;
          const byDefault = g !== 'vcpu' || threads.length <= VCPU_FRAMES_UP_TO;
          const frames = tracks.frames.length > 0 && byDefault !== toggles.has(tKey);
          const h = ROW.pad + ROW.state + 2 + tracks.locks.length * ROW.lock + (frames ? tracks.frames.length * ROW.frame : 0) + ROW.pad;
          add({ kind: 'thread', trace: ti, key: tKey, h, label: t.name, indent: single ? 1 : 2, tid: t.tid, frames, locks: tracks.locks, depth: tracks.frames.length });
        }
      }
    }
  }
  return { lanes, height: y };
}

/** The lane at content height `y` (binary search: lanes are in y order). */
export function laneAt(lanes: Lane[], y: number): Lane | undefined {
  let lo = 0;
  let hi = lanes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lanes[mid].y + lanes[mid].h <= y) lo = mid + 1;
    else hi = mid;
  }
  const l = lanes[lo];
  return l !== undefined && l.y <= y ? l : undefined;
}

// A hit in words: the tooltip's lines and the details panel's, in QEMU's and the trace's own
// names ("CPU 3/KVM blocked on mutex "bql" for 12.300 ms", "held by migration", "iteration 2").

import { LOCK_USE, stateOf } from '../engine/trace/timelineData';
import { THREAD_STATE_NAMES } from '../engine/sim/types';
import type { Hit } from './hit';
import type { Scene } from './scene';
import { fmtNs, fmtValue, pct } from './format';
import { waitText } from './renderLanes';
import { STATES } from './groupDensity';

export interface Described {
  title: string;
  lines: string[];
  /** the time "Replay to here" would use (relative ns), and the trace */
  at?: { trace: number; t: number };
  /** a time range the item covers (relative), for "zoom to" */
  span?: [number, number];
}

const LOCK_USE_NAMES = ['held', 'held while others wait', 'waiting'];

export function describeHit(s: Scene, h: Hit): Described | null {
  switch (h.kind) {
    case 'span': {
      const m = s.models[h.trace];
      const sp = m.spans(h.track);
      const a = sp.start[h.span];
      const b = sp.end[h.span];
      const v = sp.val[h.span];
      const when = `${fmtNs(a - m.t0)} → ${fmtNs(b - m.t0)} (${fmtNs(b - a)})`;
      const base = { at: { trace: h.trace, t: a - m.t0 }, span: [a - m.t0, b - m.t0] as [number, number] };
      const thread = h.lane.tid !== undefined ? m.threadName(h.lane.tid) : '';
      switch (h.what) {
        case 'state':
          return { title: `${thread}: ${THREAD_STATE_NAMES[stateOf(v)] ?? stateOf(v)}${waitText(m, v)}`, lines: [when], ...base };
        case 'frame':
          return { title: `${thread}: ${m.fnName(v)}`, lines: [when, `call depth ${m.tl.cols.track_sub[h.track]}`], ...base };
        case 'lock': {
          const mutex = m.tl.cols.track_sub[h.track];
          return { title: `${thread}: ${LOCK_USE_NAMES[v] ?? v} mutex "${m.mutexName(mutex)}"`, lines: [when, v === LOCK_USE.waiting ? 'blocked until it takes the lock' : v === LOCK_USE.heldContended ? 'another thread waits for it meanwhile' : 'nobody waits for it meanwhile'], ...base };
        }
        case 'hold':
          return { title: `mutex "${m.mutexName(h.lane.mutex!)}" held by ${m.threadName(v)}`, lines: [when], ...base };
        case 'contended':
          return { title: `${v} thread${v === 1 ? '' : 's'} waiting for mutex "${m.mutexName(h.lane.mutex!)}"`, lines: [when], ...base };
        default:
          return null;
      }
    }
    case 'counter': {
      const m = s.models[h.trace];
      const c = m.counters[h.counter];
      const v = m.counterAt(h.counter, h.t + m.t0);
      return { title: `${c.name}: ${v === undefined ? 'no sample yet' : fmtValue(v, c.unit)}`, lines: [`at ${fmtNs(h.t)} (query-migrate sample)`, `largest: ${fmtValue(c.max, c.unit)}`], at: { trace: h.trace, t: h.t } };
    }
    case 'stage': {
      const m = s.models[h.trace];
      const st = m.tl.meta.stages[h.stage];
      const lines = [`${fmtNs(st.start_ns - m.t0)} → ${fmtNs(st.end_ns - m.t0)} (${fmtNs(st.end_ns - st.start_ns)})`];
      if (st.unfinished) lines.push('the migration never left this stage');
      const sync = m.tl.meta.syncs.find((x) => x.sync === st.iteration);
      if (sync) lines.push(`began with dirty-bitmap sync #${sync.sync}: ${sync.dirty_pages.toLocaleString('en-US')} pages dirty, ${fmtValue(sync.remaining_bytes, 'bytes')} remaining`);
      return { title: st.label, lines, at: { trace: h.trace, t: st.start_ns - m.t0 }, span: [st.start_ns - m.t0, st.end_ns - m.t0] };
    }
    case 'summary': {
      const parts: string[] = [];
      const n = h.lane.tids?.length ?? 0;
      for (let st = 0; st < STATES; st++) if (h.mix[st] > 0.005) parts.push(`${THREAD_STATE_NAMES[st]} ${pct(h.mix[st], 1)} (≈${(h.mix[st] * n).toFixed(1)})`);
      return { title: `${h.lane.label} at ${fmtNs(h.t)}`, lines: [parts.join(', ') || 'no state', 'click the group header to show each thread'], at: { trace: h.trace, t: h.t } };
    }
    case 'marker': {
      const m = s.models[h.trace];
      const mk = m.tl.meta.markers[h.marker];
      const lines = [`at ${fmtNs(mk.time_ns - m.t0)}`, ...mk.detail.split('\n')];
      const hang = m.tl.meta.hang;
      // a hang: its chain of "waits for X, held by Y", as a thread dump gives it
      if (mk.kind === 'hang' && hang) for (const l of hang.chain) lines.push(`"${m.threadName(l.tid)}" ${l.waits}, ${l.because}`);
      return { title: mk.label, lines, at: { trace: h.trace, t: mk.time_ns - m.t0 } };
    }
    case 'divergence': {
      const d = s.divergence!;
      return { title: d.label, lines: d.detail.split('\n'), at: { trace: h.trace, t: d.time_ns[h.trace] } };
    }
    case 'instant': {
      const m = s.models[h.trace];
      const c = m.tl.cols;
      const args = m.tl.meta.instant_args[h.i];
      return { title: `${m.threadName(c.inst_tid[h.i])}: ${m.fnName(c.inst_fn[h.i])}`, lines: [`QEMU trace point at ${fmtNs(c.inst_time[h.i] - m.t0)}`, ...(args ? [args] : [])], at: { trace: h.trace, t: c.inst_time[h.i] - m.t0 } };
    }
    case 'lane':
      return { title: h.lane.label, lines: [`at ${fmtNs(h.t)}`], at: { trace: h.trace, t: h.t } };
    default:
      return null;
  }
}

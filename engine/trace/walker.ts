// One walk over a trace's event columns, for everything that turns events into spans: the Perfetto
// and Chrome exports and the timeline. It tracks what is open (each thread's state, its frame
// stack, each mutex's hold, the migration stage, the wait flows from a waiter to the hold it waits
// for) and tells a visitor, in event order, when each begins and ends, with what an end needs to
// know (when the span began, what it was). At the end of the events it closes everything still
// open at the last event's time, so every begin has its end.

import { EK } from './format';
import type { TraceData } from './reader';
import type { ModelRecord } from './modelEvents';
import { WaitFlows } from './exportWaits';

/** A thread state as the trace encodes it: the state code, the wait kind and object (-1: none). */
export interface StateSpan {
  tid: number;
  /** 0 running, 1 runnable, 2 blocked, 3 sleeping, 4 io, 5 stopped (sim/types TS) */
  state: number;
  /** 0 none, 1 mutex, 2 cond, 3 sem, 4 join, 5 timer (sim/types WAIT) */
  wait_kind: number;
  wait_id: number;
  start_ns: number;
  /** event index of the event that began it */
  index: number;
}

export interface FrameSpan {
  tid: number;
  fn: number;
  /** 0 for the outermost frame */
  depth: number;
  start_ns: number;
}

export interface HoldSpan {
  mutex: number;
  tid: number;
  start_ns: number;
  /** how long the holder waited for it, in ns (0: uncontended acquire) */
  waited_ns: number;
  /** when another thread first waited for this hold, or -1 */
  contended_since_ns: number;
}

export interface TraceVisitor {
  /** a thread's state begins (`created`: its first, at THREAD_CREATE); `flow` starts at a mutex wait */
  stateBegin?(s: StateSpan, created: boolean, flow: number | undefined): void;
  /** the state `s` ends at `end_ns` (a new state begins, the thread exits, or the trace ends) */
  stateEnd?(s: StateSpan, end_ns: number): void;
  frameBegin?(f: FrameSpan): void;
  frameEnd?(f: FrameSpan, end_ns: number): void;
  /** thread `tid` starts waiting for `mutex`, held by `owner` (-1: unknown) */
  contend?(mutex: number, tid: number, owner: number, time_ns: number): void;
  holdBegin?(h: HoldSpan): void;
  /** `contended`: the trace says someone waited during the hold; `flows` end here */
  holdEnd?(h: HoldSpan, end_ns: number, contended: boolean, flows: number[]): void;
  /** the migration enters `stage` (status `to`) */
  stageBegin?(time_ns: number, stage: string, to: string): void;
  stageEnd?(time_ns: number): void;
  /** the migration reached a final status (stage "done") */
  migrationDone?(time_ns: number, to: string): void;
  /** every model event other than a status change (stats samples, syncs, faults, ...) */
  model?(time_ns: number, m: ModelRecord): void;
  hang?(time_ns: number): void;
  /** a QEMU trace point hit by `tid` (real runs), with its arguments' text if any */
  qemuTrace?(tid: number, fn: number, time_ns: number, args: string | undefined): void;
  /** the scheduler's decision (a = chosen tid, among `ready` threads), with its event index */
  decision?(tid: number, ready: number, time_ns: number, index: number): void;
}

export interface WalkResult {
  /** time of the last event (what was still open is closed there) */
  last_ns: number;
  /** the first flow id not used */
  next_flow: number;
}

/**
 * Walks `t`'s events in order and tells `v`. Flow ids start at `first_flow`, so several traces in
 * one export keep theirs apart.
 */
export function walkTrace(t: TraceData, v: TraceVisitor, first_flow = 1): WalkResult {
  const e = t.events;
  const states = new Map<number, StateSpan | null>();
  const stacks = new Map<number, FrameSpan[]>();
  const holds = new Map<number, HoldSpan>();
  const waits = new WaitFlows(first_flow);
  let stageOpen = false;
  let last = 0;
  const endState = (tid: number, ts: number): void => {
    const s = states.get(tid);
    if (s) v.stateEnd?.(s, ts);
  };
  for (let i = 0; i < e.count; i++) {
    const ts = e.time[i];
    last = ts;
    const a = e.a[i];
    const b = e.b[i];
    const c = e.c[i];
    switch (e.kind[i]) {
      case EK.THREAD_CREATE: {
        endState(a, ts);
        const s: StateSpan = { tid: a, state: 1, wait_kind: 0, wait_id: -1, start_ns: ts, index: i };
        states.set(a, s);
        v.stateBegin?.(s, true, undefined);
        break;
      }
      case EK.THREAD_STATE: {
        endState(a, ts);
        const st = b % 8;
        if (st === 6) {
          states.set(a, null);
          break;
        }
        const wk = Math.floor(b / 8);
        const s: StateSpan = { tid: a, state: st, wait_kind: wk, wait_id: c > 0 ? c - 1 : -1, start_ns: ts, index: i };
        states.set(a, s);
        v.stateBegin?.(s, false, wk === 1 ? waits.start(a) : undefined);
        break;
      }
      case EK.FRAME_PUSH: {
        let st = stacks.get(a);
        if (st === undefined) stacks.set(a, (st = []));
        const f: FrameSpan = { tid: a, fn: b, depth: st.length, start_ns: ts };
        st.push(f);
        v.frameBegin?.(f);
        break;
      }
      case EK.FRAME_POP: {
        let st = stacks.get(a);
        if (st === undefined) stacks.set(a, (st = []));
        // A pop with nothing pushed (a trace that starts inside a call) closes nothing.
        const f = st.pop();
        if (f) v.frameEnd?.(f, ts);
        break;
      }
      case EK.LOCK_CONTEND: {
        waits.contend(a, b);
        const h = holds.get(a);
        if (h && h.contended_since_ns < 0) h.contended_since_ns = ts;
        v.contend?.(a, b, c > 0 ? c - 1 : -1, ts);
        break;
      }
      case EK.LOCK_ACQUIRE: {
        const h: HoldSpan = { mutex: a, tid: b, start_ns: ts, waited_ns: c, contended_since_ns: -1 };
        holds.set(a, h);
        v.holdBegin?.(h);
        break;
      }
      case EK.LOCK_RELEASE: {
        const flows = waits.end(a);
        const h = holds.get(a) ?? { mutex: a, tid: b, start_ns: ts, waited_ns: 0, contended_since_ns: -1 };
        holds.delete(a);
        v.holdEnd?.(h, ts, c % 2 === 1, flows);
        break;
      }
      case EK.MODEL: {
        const m = t.model[a];
        if (m === undefined) break;
        if (m.kind === 'status') {
          const s = m.payload as { to: string; stage: string };
          if (stageOpen) v.stageEnd?.(ts);
          stageOpen = s.stage !== 'done';
          if (stageOpen) v.stageBegin?.(ts, s.stage, s.to);
          else v.migrationDone?.(ts, s.to);
        } else {
          v.model?.(ts, m);
        }
        break;
      }
      case EK.HANG:
        v.hang?.(ts);
        break;
      case EK.QEMU_TRACE: {
        const args = c > 0 ? (t.model[c - 1]?.payload as { args?: string } | undefined)?.args : undefined;
        v.qemuTrace?.(a, b, ts, args);
        break;
      }
      case EK.DECISION:
        v.decision?.(a, b, ts, i);
        break;
      default:
        break;
    }
  }
  // Close what is still open at the end, so every span has an end.
  for (const s of states.values()) if (s) v.stateEnd?.(s, last);
  for (const h of holds.values()) v.holdEnd?.(h, last, h.contended_since_ns >= 0, waits.end(h.mutex));
  if (stageOpen) v.stageEnd?.(last);
  for (const st of stacks.values()) for (let k = st.length - 1; k >= 0; k--) v.frameEnd?.(st[k], last);
  return { last_ns: last, next_flow: waits.nextId };
}

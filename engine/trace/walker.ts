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
  /** when another thread first waited for this hold (its start, if threads were waiting then), or -1 */
  contended_since_ns: number;
}

/**
 * What a walk tells. The span objects handed over are the walker's own and are reused for the
 * thread's (or mutex's) next span: read them in the callback, copy what you keep.
 */
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
  const nT = t.threads.length;
  const nM = t.mutexes.length;
  // Dense per thread and per mutex (the reader checks every id against the descriptors), and the
  // span objects are the walker's own, reused from span to span: no allocation per event.
  const states: StateSpan[] = Array.from({ length: nT }, (_, tid) => ({ tid, state: 0, wait_kind: 0, wait_id: -1, start_ns: 0, index: -1 }));
  const stateOpen = new Uint8Array(nT);
  const stacks: FrameSpan[][] = Array.from({ length: nT }, () => []);
  const depth = new Uint32Array(nT);
  const holds: HoldSpan[] = Array.from({ length: nM }, (_, mutex) => ({ mutex, tid: 0, start_ns: 0, waited_ns: 0, contended_since_ns: -1 }));
  const holdOpen = new Uint8Array(nM);
  const waits = new WaitFlows(first_flow);
  /** the mutex each thread waits for (-1: none), and how many wait for each mutex */
  const waitingOn = new Int32Array(nT).fill(-1);
  const waiters = new Uint32Array(nM);
  let stageOpen = false;
  let last = 0;
  const setState = (tid: number, ts: number, i: number, st: number, wk: number, wid: number): StateSpan => {
    const s = states[tid];
    if (stateOpen[tid]) v.stateEnd?.(s, ts);
    stateOpen[tid] = 1;
    s.state = st;
    s.wait_kind = wk;
    s.wait_id = wid;
    s.start_ns = ts;
    s.index = i;
    return s;
  };
  for (let i = 0; i < e.count; i++) {
    const ts = e.time[i];
    last = ts;
    const a = e.a[i];
    const b = e.b[i];
    const c = e.c[i];
    switch (e.kind[i]) {
      case EK.THREAD_CREATE:
        if (a < nT) v.stateBegin?.(setState(a, ts, i, 1, 0, -1), true, undefined);
        break;
      case EK.THREAD_STATE: {
        const st = b % 8;
        if (st === 6) {
          if (stateOpen[a]) v.stateEnd?.(states[a], ts);
          stateOpen[a] = 0;
          break;
        }
        const wk = Math.floor(b / 8);
        const s = setState(a, ts, i, st, wk, c > 0 ? c - 1 : -1);
        v.stateBegin?.(s, false, wk === 1 ? waits.start(a) : undefined);
        break;
      }
      case EK.FRAME_PUSH: {
        const st = stacks[a];
        const d = depth[a]++;
        let f = st[d];
        if (f === undefined) st[d] = f = { tid: a, fn: b, depth: d, start_ns: ts };
        else {
          f.fn = b;
          f.start_ns = ts;
        }
        v.frameBegin?.(f);
        break;
      }
      case EK.FRAME_POP:
        // A pop with nothing pushed (a trace that starts inside a call) closes nothing.
        if (depth[a] > 0) v.frameEnd?.(stacks[a][--depth[a]], ts);
        break;
      case EK.LOCK_CONTEND: {
        waits.contend(a, b);
        if (waitingOn[b] < 0) {
          waitingOn[b] = a;
          waiters[a]++;
        }
        if (holdOpen[a] && holds[a].contended_since_ns < 0) holds[a].contended_since_ns = ts;
        v.contend?.(a, b, c > 0 ? c - 1 : -1, ts);
        break;
      }
      case EK.LOCK_ACQUIRE: {
        if (waitingOn[b] === a) {
          waitingOn[b] = -1;
          waiters[a]--;
        }
        const h = holds[a];
        h.tid = b;
        h.start_ns = ts;
        h.waited_ns = c;
        h.contended_since_ns = waiters[a] > 0 ? ts : -1;
        holdOpen[a] = 1;
        v.holdBegin?.(h);
        break;
      }
      case EK.LOCK_RELEASE: {
        const flows = waits.end(a);
        const h = holds[a];
        if (!holdOpen[a]) {
          // a release of a hold the trace did not see begin: a zero-length hold
          h.tid = b;
          h.start_ns = ts;
          h.waited_ns = 0;
          h.contended_since_ns = -1;
        }
        holdOpen[a] = 0;
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
  for (let tid = 0; tid < nT; tid++) if (stateOpen[tid]) v.stateEnd?.(states[tid], last);
  for (let m = 0; m < nM; m++) if (holdOpen[m]) v.holdEnd?.(holds[m], last, holds[m].contended_since_ns >= 0, waits.end(m));
  if (stageOpen) v.stageEnd?.(last);
  for (let tid = 0; tid < nT; tid++) for (let k = depth[tid] - 1; k >= 0; k--) v.frameEnd?.(stacks[tid][k], last);
  return { last_ns: last, next_flow: waits.nextId };
}

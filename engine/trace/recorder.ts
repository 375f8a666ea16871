// The trace recorder: a simulation observer that turns every kernel event into a trace event
// (proto/migtrace.proto's EventKind) and writes it through a TraceWriter as the run goes.

import type { Kernel } from '../sim/kernel';
import type { ObjKind, SimObserver } from '../sim/observer';
import type { HangReport } from '../sim/hangReport';
import { EK } from './format';
import type { TraceSink } from './sink';
import { TraceWriter, type RecordingStats, type TraceHeaderInfo } from './writer';

export type { RecordingStats, TraceHeaderInfo } from './writer';

export class TraceRecorder implements SimObserver {
  readonly w: TraceWriter;

  constructor(
    /** the kernel whose state the events describe (a debugging session's look-ahead may take over: recorderGate.ts) */
    public k: Kernel,
    header: TraceHeaderInfo,
    sink: TraceSink,
    private readonly roleOf: (name: string) => string = () => 'other',
  ) {
    this.w = new TraceWriter(sink, header, () => ({ time_ns: this.k.s.now_ns, steps: this.k.s.steps, decisions: this.k.s.decisions }));
    k.program.fns.forEach((f) => this.w.func(f.id, f.name));
  }

  private ev(kind: number, a: number, b: number, c: number): void {
    this.w.event(this.k.s.now_ns, kind, a, b, c);
  }

  threadCreated(tid: number, parent: number): void {
    const name = this.k.s.threads[tid].name;
    this.w.thread(tid, name, parent, this.roleOf(name));
    this.ev(EK.THREAD_CREATE, tid, parent + 1, 0);
  }

  threadState(tid: number): void {
    const th = this.k.s.threads[tid];
    this.ev(EK.THREAD_STATE, tid, th.state + 8 * th.wait_kind, th.wait_id + 1);
  }

  framePush(tid: number, fn: number): void {
    this.ev(EK.FRAME_PUSH, tid, fn, 0);
  }

  framePop(tid: number, fn: number): void {
    this.ev(EK.FRAME_POP, tid, fn, 0);
  }

  objectCreated(kind: ObjKind, id: number): void {
    const s = this.k.s;
    this.w.object(kind, id, kind === 1 ? s.mutexes[id].name : kind === 2 ? s.conds[id].name : s.sems[id].name);
    this.ev(EK.OBJECT_CREATE, kind, id, 0);
  }

  lockContend(m: number, tid: number, owner: number): void {
    this.ev(EK.LOCK_CONTEND, m, tid, owner + 1);
  }

  lockAcquire(m: number, tid: number, wait_ns: number): void {
    this.ev(EK.LOCK_ACQUIRE, m, tid, wait_ns);
  }

  lockRelease(m: number, tid: number, hold_ns: number, contended: boolean): void {
    this.ev(EK.LOCK_RELEASE, m, tid, hold_ns * 2 + (contended ? 1 : 0));
  }

  condSignal(c: number, tid: number, woken: number): void {
    this.ev(EK.COND_SIGNAL, c, tid, woken);
  }

  semPost(s: number, tid: number, woken: number): void {
    this.ev(EK.SEM_POST, s, tid, woken);
  }

  decision(_i: number, tid: number, ready: readonly number[]): void {
    this.ev(EK.DECISION, tid, ready.length, this.k.s.effect_hash.h1);
  }

  custom(kind: string, payload: unknown): void {
    this.ev(EK.MODEL, this.w.model(this.k.s.now_ns, kind, payload), 0, 0);
  }

  hang(r: HangReport): void {
    this.ev(EK.HANG, 0, 0, 0);
    this.w.hangReport(r);
  }

  finished(): void {
    this.ev(EK.FINISHED, 0, 0, 0);
  }

  /** Ends the trace with the run's summary (the `run --json` object) in its footer. */
  finish(summary: unknown): RecordingStats {
    const s = this.k.s;
    return this.w.finish({ time_ns: s.now_ns, steps: s.steps, decisions: s.decisions, effect_hash1: s.effect_hash.h1, effect_hash2: s.effect_hash.h2, status: s.status, summary });
  }
}

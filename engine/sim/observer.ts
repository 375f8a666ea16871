// Everything that happens in a simulation flows out through one observer (a recorder, a hash for
// determinism checks, the debugger's breakpoint matcher). The kernel holds `obs: SimObserver | null`
// and every emission is guarded by a null check, so a run that nobody watches pays one compare per
// event and builds no objects. Arguments are numbers; an observer that wants names or states reads
// them from the kernel (`k.s.threads[tid]`), which is consistent at the moment of the call.

import type { HangReport } from './hangReport';

export const OBJ = { mutex: 1, cond: 2, sem: 3 } as const;
export type ObjKind = (typeof OBJ)[keyof typeof OBJ];

export interface SimObserver {
  threadCreated(tid: number, parent: number): void;
  /** after the thread's state and wait fields changed */
  threadState(tid: number): void;
  framePush(tid: number, fn: number): void;
  framePop(tid: number, fn: number): void;
  objectCreated(kind: ObjKind, id: number): void;
  lockContend(mutex: number, tid: number, owner: number): void;
  lockAcquire(mutex: number, tid: number, wait_ns: number): void;
  lockRelease(mutex: number, tid: number, hold_ns: number, contended: boolean): void;
  condSignal(cond: number, tid: number, woken: number): void;
  semPost(sem: number, tid: number, woken: number): void;
  decision(index: number, tid: number, ready: readonly number[]): void;
  /** a model event: a stage transition, a stats sample... */
  custom(kind: string, payload: unknown): void;
  hang(report: HangReport): void;
  finished(): void;
}

/** An observer that ignores everything; extend it and override what you need. */
export class NullObserver implements SimObserver {
  threadCreated(_tid: number, _parent: number): void {}
  threadState(_tid: number): void {}
  framePush(_tid: number, _fn: number): void {}
  framePop(_tid: number, _fn: number): void {}
  objectCreated(_kind: ObjKind, _id: number): void {}
  lockContend(_mutex: number, _tid: number, _owner: number): void {}
  lockAcquire(_mutex: number, _tid: number, _wait_ns: number): void {}
  lockRelease(_mutex: number, _tid: number, _hold_ns: number, _contended: boolean): void {}
  condSignal(_cond: number, _tid: number, _woken: number): void {}
  semPost(_sem: number, _tid: number, _woken: number): void {}
  decision(_index: number, _tid: number, _ready: readonly number[]): void {}
  custom(_kind: string, _payload: unknown): void {}
  hang(_report: HangReport): void {}
  finished(): void {}
}

/** Sends every event to several observers, in order. */
export class FanoutObserver implements SimObserver {
  constructor(readonly targets: SimObserver[]) {}
  threadCreated(tid: number, parent: number): void { for (const o of this.targets) o.threadCreated(tid, parent); }
  threadState(tid: number): void { for (const o of this.targets) o.threadState(tid); }
  framePush(tid: number, fn: number): void { for (const o of this.targets) o.framePush(tid, fn); }
  framePop(tid: number, fn: number): void { for (const o of this.targets) o.framePop(tid, fn); }
  objectCreated(kind: ObjKind, id: number): void { for (const o of this.targets) o.objectCreated(kind, id); }
  lockContend(m: number, tid: number, owner: number): void { for (const o of this.targets) o.lockContend(m, tid, owner); }
  lockAcquire(m: number, tid: number, wait_ns: number): void { for (const o of this.targets) o.lockAcquire(m, tid, wait_ns); }
  lockRelease(m: number, tid: number, hold_ns: number, contended: boolean): void { for (const o of this.targets) o.lockRelease(m, tid, hold_ns, contended); }
  condSignal(c: number, tid: number, woken: number): void { for (const o of this.targets) o.condSignal(c, tid, woken); }
  semPost(s: number, tid: number, woken: number): void { for (const o of this.targets) o.semPost(s, tid, woken); }
  decision(i: number, tid: number, ready: readonly number[]): void { for (const o of this.targets) o.decision(i, tid, ready); }
  custom(kind: string, payload: unknown): void { for (const o of this.targets) o.custom(kind, payload); }
  hang(r: HangReport): void { for (const o of this.targets) o.hang(r); }
  finished(): void { for (const o of this.targets) o.finished(); }
}

// What both exporters (Perfetto, Chrome JSON) say about waits: the label of a wait, and the flow
// arrows from a thread blocked on a mutex to the end of the hold it waited for. A contention opens
// a flow; it starts at the waiter's next blocked-on-a-mutex slice and ends when the hold ends.

import type { TraceData } from './reader';

/** ` on mutex "bql"` and the like, for wait kind `waitKind` on object `id`; '' if none. */
export function waitLabel(t: TraceData, waitKind: number, id: number): string {
  switch (waitKind) {
    case 1: return ` on mutex "${t.mutexes[id] ?? id}"`;
    case 2: return ` on condition "${t.conds[id] ?? id}"`;
    case 3: return ` on semaphore "${t.sems[id] ?? id}"`;
    case 4: return ` joining "${t.threads[id]?.name ?? id}"`;
    default: return '';
  }
}

const NONE: number[] = [];

export class WaitFlows {
  /** waiter tid → flow id, until its blocked slice begins (dense arrays: ids are small integers) */
  private readonly pending: (number | undefined)[] = [];
  /** mutex → flow ids that end when its current hold ends */
  private readonly byHold: (number[] | undefined)[] = [];

  constructor(private next = 1) {}

  /** LOCK_CONTEND: thread `tid` will wait for the current hold of `mutex`. */
  contend(mutex: number, tid: number): void {
    const id = this.next++;
    this.pending[tid] = id;
    const list = this.byHold[mutex];
    if (list === undefined) this.byHold[mutex] = [id];
    else list.push(id);
  }

  /** Thread `tid`'s blocked-on-a-mutex slice begins: the flow that starts there, if any. */
  start(tid: number): number | undefined {
    const id = this.pending[tid];
    if (id !== undefined) this.pending[tid] = undefined;
    return id;
  }

  /** The hold of `mutex` ends: the flows that end there (do not modify the list). */
  end(mutex: number): number[] {
    const ids = this.byHold[mutex];
    if (ids === undefined) return NONE;
    this.byHold[mutex] = undefined;
    return ids;
  }

  /** The first id not yet used. */
  get nextId(): number {
    return this.next;
  }
}

// Every decision of one run with its context, for shrinking: which thread ran, which the default
// schedule would have run (the head of the ready list), and where every ready thread stood (its
// top frame's function and statement): two decisions with the same context are the same choice
// met again, in another run or another round.

import type { Kernel } from '../sim/kernel';
import { NullObserver } from '../sim/observer';

export interface Decisions {
  /** the thread that ran at decision i */
  tid: number[];
  /** the thread the default schedule runs there */
  head: number[];
  /** the ready threads and where each stood: "tid:fn:pc" sorted, joined by "," */
  ctx: string[];
  /** where the thread that ran stood: "tid:fn:pc" */
  at: string[];
  /** ready threads of decision i: ready_tid[ready_off[i] .. ready_off[i + 1]) */
  ready_off: number[];
  ready_tid: number[];
  time_ns: number[];
  /** thread names by id, at the end of the run */
  names: string[];
}

export class DecisionCapture extends NullObserver {
  private readonly d: Decisions = { tid: [], head: [], ctx: [], at: [], ready_off: [0], ready_tid: [], time_ns: [], names: [] };
  constructor(private readonly k: Kernel) {
    super();
  }

  private where(t: number): string {
    const th = this.k.s.threads[t];
    const f = th.stack[th.stack.length - 1];
    return f === undefined ? `${t}:-:-` : `${t}:${f.fn}:${th.pending === 0 ? f.pc : `r${f.pc}`}`;
  }

  override decision(_i: number, tid: number, ready: readonly number[]): void {
    const d = this.d;
    d.tid.push(tid);
    d.head.push(ready[0]);
    const w: string[] = [];
    for (const t of ready) {
      w.push(this.where(t));
      d.ready_tid.push(t);
    }
    d.ready_off.push(d.ready_tid.length);
    d.ctx.push(w.sort().join(','));
    d.at.push(this.where(tid));
    d.time_ns.push(this.k.s.now_ns);
  }

  done(): Decisions {
    this.d.names = this.k.s.threads.map((t) => t.name);
    return this.d;
  }
}

export function readyAt(d: Decisions, i: number): number[] {
  return d.ready_tid.slice(d.ready_off[i], d.ready_off[i + 1]);
}

/** The decisions where a run left the default schedule: a script that replays it exactly. */
export function deviationsOf(d: Decisions): { at: number[]; tid: number[] } {
  const at: number[] = [];
  const tid: number[] = [];
  for (let i = 0; i < d.tid.length; i++) {
    if (d.tid[i] !== d.head[i]) {
      at.push(i);
      tid.push(d.tid[i]);
    }
  }
  return { at, tid };
}

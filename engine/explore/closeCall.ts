// How close a run that did not fail came to failing, for the bugs whose mechanism has a measure
// of it, so that a search that finds nothing still says how near it got ("the closest call").
//  - aa723c23147e (the 2012 stage-3 bug): the migration thread, holding the BQL after vm_stop only
//    queued the stop request, drops it once per vCPU in cpu_synchronize_all_states (run_on_cpu);
//    the main loop serves the request in the first of those windows in which it gets the BQL. The
//    measure is how many windows the main loop missed before it got in; the bug bites only if it
//    misses every one of them before ram_save_complete.

import type { Kernel } from '../sim/kernel';
import { NullObserver, type SimObserver } from '../sim/observer';

export interface CloseCall {
  /** what is measured, in the words of the mechanism */
  measure: string;
  /** larger is closer to the failure; -1: the mechanism was not reached */
  value: number;
  /** the value at which the run fails */
  fails_at: number;
}

/**
 * How a run that did not fail got away, for a guided search (guided.ts): the thread whose step
 * ended the danger, and the decisions inside the danger (from where it began to that step) at which
 * that thread, with others ready, took a lock it still held when it got away (for aa723c23147e: the
 * main loop taking the BQL): the choices a schedule could have made otherwise.
 */
export interface Escape {
  tid: number;
  name: string;
  /** the decision count when the escaping step came */
  decision: number;
  choices: { decision: number; ready: number[] }[];
}

export interface CloseCallProbe {
  observer: SimObserver;
  result(): CloseCall;
  /** how the run escaped, or null: it failed, or never reached the danger */
  escape(): Escape | null;
}

interface Choice {
  decision: number;
  tid: number;
  ready: number[];
  /** the mutex the chosen thread took in the step it was chosen for, or -1 */
  took: number;
}

class Stage3Windows extends NullObserver implements CloseCallProbe {
  private windows = 0;
  private served = -1;
  private completeBegan = false;
  private readonly runOnCpu: Set<number>;
  private readonly doVmStop: Set<number>;
  private readonly ramSaveComplete: Set<number>;
  /** decisions since the first window opened, while the stop request was still queued */
  private readonly choices: Choice[] = [];
  private decisions = 0;
  private escaped: { tid: number; name: string; decision: number; held: Set<number> } | null = null;
  constructor(private readonly k: Kernel, private readonly vcpus: number) {
    super();
    this.runOnCpu = new Set(k.program.ids('run_on_cpu'));
    this.doVmStop = new Set(k.program.ids('do_vm_stop'));
    this.ramSaveComplete = new Set(k.program.ids('ram_save_complete'));
  }
  get observer(): SimObserver {
    return this;
  }
  override decision(index: number, tid: number, ready: readonly number[]): void {
    this.decisions = index + 1;
    if (this.windows > 0 && this.served < 0 && !this.completeBegan) this.choices.push({ decision: index, tid, ready: ready.slice(), took: -1 });
  }
  override lockAcquire(mutex: number, tid: number): void {
    const c = this.choices[this.choices.length - 1];
    if (c !== undefined && c.decision === this.decisions - 1 && c.tid === tid && c.took < 0) c.took = mutex;
  }
  override framePush(tid: number, fn: number): void {
    if (this.served >= 0) return;
    if (this.runOnCpu.has(fn)) this.windows++;
    else if (this.ramSaveComplete.has(fn)) this.completeBegan = true;
    else if (this.doVmStop.has(fn)) {
      this.served = this.completeBegan ? this.vcpus : Math.max(0, this.windows - 1);
      if (!this.completeBegan && this.windows > 0) {
        const held = new Set(this.k.s.mutexes.filter((m) => m.owner === tid).map((m) => m.id));
        this.escaped = { tid, name: this.k.s.threads[tid].name, decision: this.decisions, held };
      }
    }
  }
  escape(): Escape | null {
    const e = this.escaped;
    if (e === null) return null;
    return { tid: e.tid, name: e.name, decision: e.decision, choices: this.choices.filter((c) => c.tid === e.tid && c.ready.length > 1 && e.held.has(c.took)).map((c) => ({ decision: c.decision, ready: c.ready })) };
  }
  result(): CloseCall {
    return {
      measure: `run_on_cpu windows of cpu_synchronize_all_states the main loop missed before it got the BQL and served the stop request (of ${this.vcpus})`,
      value: this.served >= 0 ? this.served : this.completeBegan ? this.vcpus : -1,
      fails_at: this.vcpus,
    };
  }
}

/** The closest-call probe of each bug that has one. */
const PROBES: Record<string, (k: Kernel, vcpus: number) => CloseCallProbe> = {
  aa723c23147e: (k, vcpus) => new Stage3Windows(k, vcpus),
};

/** The bugs that have a closest-call probe. */
export const CLOSE_CALL_BUGS: readonly string[] = Object.keys(PROBES);

export function hasCloseCall(bugs: ReadonlySet<string>): boolean {
  return CLOSE_CALL_BUGS.some((b) => bugs.has(b));
}

/** The probe for the first bug of `bugs` that has one, or null. */
export function closeCallProbe(k: Kernel, bugs: ReadonlySet<string>, vcpus: number): CloseCallProbe | null {
  const bug = CLOSE_CALL_BUGS.find((b) => bugs.has(b));
  return bug === undefined ? null : PROBES[bug](k, vcpus);
}

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

export interface CloseCallProbe {
  observer: SimObserver;
  result(): CloseCall;
}

class Stage3Windows extends NullObserver implements CloseCallProbe {
  private windows = 0;
  private served = -1;
  private completeBegan = false;
  private readonly runOnCpu: Set<number>;
  private readonly doVmStop: Set<number>;
  private readonly ramSaveComplete: Set<number>;
  constructor(k: Kernel, private readonly vcpus: number) {
    super();
    this.runOnCpu = new Set(k.program.ids('run_on_cpu'));
    this.doVmStop = new Set(k.program.ids('do_vm_stop'));
    this.ramSaveComplete = new Set(k.program.ids('ram_save_complete'));
  }
  get observer(): SimObserver {
    return this;
  }
  override framePush(_tid: number, fn: number): void {
    if (this.served >= 0) return;
    if (this.runOnCpu.has(fn)) this.windows++;
    else if (this.ramSaveComplete.has(fn)) this.completeBegan = true;
    else if (this.doVmStop.has(fn)) this.served = this.completeBegan ? this.vcpus : Math.max(0, this.windows - 1);
  }
  result(): CloseCall {
    return {
      measure: `run_on_cpu windows of cpu_synchronize_all_states the main loop missed before it got the BQL and served the stop request (of ${this.vcpus})`,
      value: this.served >= 0 ? this.served : this.completeBegan ? this.vcpus : -1,
      fails_at: this.vcpus,
    };
  }
}

/** The probe for the first bug of `bugs` that has one, or null. */
export function closeCallProbe(k: Kernel, bugs: ReadonlySet<string>, vcpus: number): CloseCallProbe | null {
  if (bugs.has('aa723c23147e')) return new Stage3Windows(k, vcpus);
  return null;
}

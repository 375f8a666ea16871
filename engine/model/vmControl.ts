// Stopping and resuming the guest: pause_all_vcpus (ask every vCPU to stop, kick it, wait on
// qemu_pause_cond with the BQL dropped until all say they stopped) and resume_all_vcpus (clear the
// requests and wake the parked vCPUs). Called with the BQL held, by the migration thread at
// completion, by the main loop for a queued stop request, and on a failed completion.

import type { Kernel } from '../sim/kernel';
import { steps, type Program } from '../sim/program';
import type { ModelCtx } from './ctx';
import { md } from './ctx';

export interface VmControlFns {
  pauseAllVcpus: number;
  resumeAllVcpus: number;
}

export function allStopped(k: Kernel): boolean {
  return md(k).vcpus.every((v) => v.stopped);
}

export function defineVmControl(p: Program, ctx: ModelCtx): VmControlFns {
  const ids = ctx.ids;
  const PAUSE = steps({
    request: 'CPU_FOREACH(cpu) { cpu->stop = true; qemu_cpu_kick(cpu); }',
    wait: 'while (!all_vcpus_paused()) qemu_cond_wait(&qemu_pause_cond, &bql);',
  });
  const pauseAllVcpus = p.fn(ctx.names.pause_all_vcpus, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case PAUSE.request:
        for (let v = 0; v < d.vcpus.length; v++) {
          d.vcpus[v].stop = true;
          k.kick(ids.vcpu_tids[v]);
        }
        f.pc = PAUSE.wait;
        return k.yieldNow();
      default:
        if (allStopped(k)) return k.ret();
        return k.condWait(ids.pause_cond, ids.bql);
    }
  }, PAUSE);
  const RESUME = steps({ resume: 'CPU_FOREACH(cpu) { cpu->stop = false; cpu->stopped = false; qemu_cpu_kick(cpu); }' });
  const resumeAllVcpus = p.fn<{ v: number }>('resume_all_vcpus', (k, f) => {
    const d = md(k);
    if (f.l.v >= d.vcpus.length) return k.ret();
    const v = f.l.v++;
    d.vcpus[v].stop = false;
    // qemu_cpu_kick: a parked vCPU wakes from its halt_cond
    return k.condBroadcast(ids.halt_cond[v]);
  }, RESUME);
  return { pauseAllVcpus, resumeAllVcpus };
}

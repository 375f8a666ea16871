// Stopping and resuming the guest: pause_all_vcpus (ask every vCPU to stop, kick it, wait on
// qemu_pause_cond with the BQL dropped until all say they stopped) and resume_all_vcpus (clear the
// requests and wake the parked vCPUs). Called with the BQL held, by the migration thread at
// completion, by the main loop for a queued stop request, and on a failed completion.

import type { Kernel } from '../sim/kernel';
import { steps, type Program } from '../sim/program';
import { TS, WAIT } from '../sim/types';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import { STAGE3 } from './calibration';

export interface VmControlFns {
  pauseAllVcpus: number;
  resumeAllVcpus: number;
  /** cpu_synchronize_all_states: run_on_cpu(do_kvm_cpu_synchronize_state) on every vCPU */
  synchronizeAllStates: number;
  /** flush_queued_work, run by the vCPU's own thread with the BQL held */
  flushQueuedWork: number;
  /** memory_global_after_dirty_log_sync under TCG: run_on_cpu(do_nothing) on every vCPU */
  afterDirtyLogSync: number;
}

export function allStopped(k: Kernel): boolean {
  return md(k).vcpus.every((v) => v.stopped);
}

export function defineVmControl(p: Program, ctx: ModelCtx): VmControlFns {
  const ids = ctx.ids;
  // qemu_cpu_kick (softmmu/cpus.c) broadcasts the vCPU's halt_cond before it signals the thread:
  // a vCPU asleep in cpu_throttle_thread's qemu_cond_timedwait on it wakes, sees cpu->stop and
  // leaves the throttle at once instead of sleeping out its slice.
  const PAUSE = steps({
    request: 'CPU_FOREACH(cpu) { cpu->stop = true; qemu_cpu_kick(cpu); /* qemu_cond_broadcast(cpu->halt_cond); cpus_kick_thread(cpu) */ }',
    wait: `while (!all_vcpus_paused()) qemu_cond_wait(&qemu_pause_cond, ${ctx.bql.mutex});`,
  });
  const pauseAllVcpus = p.fn<{ v: number }>(ctx.names.pause_all_vcpus, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case PAUSE.request: {
        // every vCPU told to stop and kicked in this step; a broadcast (a step of its own) only for
        // a vCPU asleep on its halt_cond in the throttle (a parked vCPU stays parked either way)
        for (let v = f.l.v; v < d.vcpus.length; v++) {
          d.vcpus[v].stop = true;
          k.kick(ids.vcpu_tids[v]);
          const th = k.s.threads[ids.vcpu_tids[v]];
          if (th.state === TS.sleeping && th.wait_kind === WAIT.cond && th.wait_id === ids.halt_cond[v]) {
            f.l.v = v + 1;
            return k.condBroadcast(ids.halt_cond[v]);
          }
        }
        return k.jump(PAUSE.wait);
      }
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

  /** run_on_cpu(cpu, func): queue the work, kick, wait with the BQL dropped. */
  const ROC = steps({
    queue: 'wi.func = func; cpu->queued_work_first = &wi; wi.done = false; /* do_kvm_cpu_synchronize_state or do_nothing */',
    kick: 'qemu_cpu_kick(cpu); /* broadcast halt_cond and signal the thread out of KVM_RUN */',
    wait: `while (!wi.done) qemu_cond_wait(&qemu_work_cond, ${ctx.bql.mutex});`,
  });
  const runOnCpu = p.fn<{ v: number; nothing?: boolean }>('run_on_cpu', (k, f) => {
    const vs = md(k).vcpus[f.l.v];
    switch (f.pc) {
      case ROC.queue:
        vs.queued_work = f.l.nothing === true ? 'nothing' : 'synchronize_state';
        return k.jump(ROC.kick);
      case ROC.kick:
        k.kick(ids.vcpu_tids[f.l.v]);
        f.pc = ROC.wait;
        return k.condBroadcast(ids.halt_cond[f.l.v]);
      default: // ROC.wait
        if (vs.queued_work !== null) return k.condWait(ids.work_cond, ids.bql);
        return k.ret();
    }
  }, ROC);

  const SYNC = steps({
    each: 'CPU_FOREACH(cpu) { if (!cpu->kvm_vcpu_dirty)',
    run: '    run_on_cpu(cpu, do_kvm_cpu_synchronize_state, cpu); }',
  });
  const synchronizeAllStates = p.fn<{ v: number }>('cpu_synchronize_all_states', (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case SYNC.each:
        while (f.l.v < d.vcpus.length && d.vcpus[f.l.v].kvm_vcpu_dirty) f.l.v++;
        if (f.l.v >= d.vcpus.length) return k.ret();
        return k.jump(SYNC.run);
      default: // SYNC.run
        f.pc = SYNC.each;
        return k.call(runOnCpu, { v: f.l.v++ });
    }
  }, SYNC);

  // tcg_log_global_after_sync (softmmu/physmem.c): after the dirty log is fetched, wait until every
  // vCPU has ended the TB it is in, so no write that passed the TLB check before the sync lands
  // after the migration thread read the page. The wait is run_on_cpu: it lasts until the vCPU
  // serves its queued work, which, for a vCPU asleep in cpu_throttle_thread (itself queued work),
  // is after the rest of its sleep: the kick wakes the sleep, which sleeps on until its end.
  const AFTER = steps({
    each: 'CPU_FOREACH(cpu) { /* tcg_log_global_after_sync, one listener per CPU address space */',
    run: '    run_on_cpu(cpu, do_nothing, RUN_ON_CPU_NULL); }',
  });
  const afterDirtyLogSync = p.fn<{ v: number }>('memory_global_after_dirty_log_sync', (k, f) => {
    switch (f.pc) {
      case AFTER.each:
        if (f.l.v >= md(k).vcpus.length) return k.ret();
        return k.jump(AFTER.run);
      default: // AFTER.run
        f.pc = AFTER.each;
        return k.call(runOnCpu, { v: f.l.v++, nothing: true });
    }
  }, AFTER);

  const FLUSH = steps({
    work: 'wi->func(cpu, wi->data); /* do_kvm_cpu_synchronize_state: kvm_arch_get_registers(cpu); or do_nothing */',
    done: 'wi->done = true; qemu_cond_broadcast(&qemu_work_cond);',
    ret: 'return;',
  });
  const flushQueuedWork = p.fn<{ v: number }>('flush_queued_work', (k, f) => {
    const vs = md(k).vcpus[f.l.v];
    switch (f.pc) {
      case FLUSH.work:
        f.pc = FLUSH.done;
        if (vs.queued_work === 'nothing') return k.jump(FLUSH.done);
        return k.compute(STAGE3.SYNC_REGISTERS_NS);
      case FLUSH.done:
        if (vs.queued_work === 'synchronize_state') vs.kvm_vcpu_dirty = true;
        vs.queued_work = null;
        f.pc = FLUSH.ret;
        return k.condBroadcast(ids.work_cond);
      default:
        return k.ret();
    }
  }, FLUSH);
  return { pauseAllVcpus, resumeAllVcpus, synchronizeAllStates, flushQueuedWork, afterDirtyLogSync };
}

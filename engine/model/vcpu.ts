// vCPU threads, as KVM runs them: the thread holds the BQL except while in KVM_RUN; guest code runs
// without it and writes memory; an exit to userspace (MMIO, PIO) retakes the BQL, is handled, and
// drops it again for the next KVM_RUN. A pause request (cpu->stop) with a kick makes the vCPU leave
// KVM_RUN, mark itself stopped, broadcast qemu_pause_cond and park on its halt_cond ("stopped").

import type { Kernel } from '../sim/kernel';
import { steps, type Program } from '../sim/program';
import { TS, type Frame, type SimThread } from '../sim/types';
import type { ModelCtx } from './ctx';
import type { AfterStop, ModelConfig } from './config';
import type { MigrationState } from './state';
import { md } from './ctx';
import { guestWrites } from './workload';
import { throttleSleepNs } from './autoConverge';
import { STAGE3 } from './calibration';
import { firstLostPage } from './guestRam';
import type { VmControlFns } from './vmControl';

/** Longest stretch of guest time whose writes are applied at once (dirty-log resolution). */
const SLICE_MAX_NS = 20_000_000;

interface VcpuLocals {
  v: number;
  kicked: number;
}

function nextExitNs(k: Kernel, ctx: ModelCtx): number {
  const w = ctx.cfg.workload;
  const stopped = w.after_stop !== null && w.stop_ns >= 0 && k.now >= ctx.cfg.start_delay_ns + w.stop_ns;
  const rate = stopped ? (w.after_stop as AfterStop).bql_exits_per_s : w.bql_exits_per_s;
  if (rate <= 0) return Number.MAX_SAFE_INTEGER;
  // Uniform over [0, 2/rate): the mean interval of the rate, from plain arithmetic so every host
  // draws the same sequence.
  return Math.max(1000, Math.round((2 * k.random() * 1e9) / rate));
}

/**
 * A vCPU wrote while ram_save_complete runs after its final sync (aa723c23147e: the VM was never
 * stopped): a write to a page already sent is never sent again, so the destination will run from
 * stale memory. Records the first such page and tells the trace.
 */
function noteLostWrite(k: Kernel, v: number): void {
  const d = md(k);
  const page = firstLostPage(d.ram);
  if (page < 0) return;
  const m = d.mig;
  m.first_loss_ns = k.now;
  m.first_loss_page = page;
  m.first_loss_vcpu = v;
  k.emit('page-lost', { vcpu: v, page, 'final-sync-ns': m.final_sync_ns, summary: lostWriteSummary(m) });
}

/** What the first lost write was (the trace's `page-lost` event says it in these words). */
export function lostWriteSummary(m: MigrationState): string {
  return `CPU ${m.first_loss_vcpu} wrote page ${m.first_loss_page} after ram_save_complete's final sync (at ${(m.final_sync_ns / 1e9).toFixed(3)} s) had fetched the dirty log: it is never sent again, and the destination will run from a stale copy`;
}

/** Whether a run of `cfg` can lose a write that way (only with aa723c23147e do vCPUs run after the final sync). */
export function canLoseWrites(cfg: ModelConfig): boolean {
  return cfg.bugs.has('aa723c23147e');
}

export function defineVcpu(p: Program, ctx: ModelCtx, vm: VmControlFns): void {
  const n = ctx.names;
  const ids = ctx.ids;
  const bql = ctx.bql;

  const tcg = ctx.cfg.host.accel === 'tcg';
  const RUN = steps(tcg
    ? {
        run: 'ret = cpu_exec_loop(cpu, &sc); /* tb_find, cpu_loop_exec_tb: translated guest code runs and writes memory */',
        exit: '/* an exit: an interrupt served in cpu_exec and straight back in, or out for an MMIO access or a kick */',
      }
    : {
        run: 'ret = ioctl(cpu->kvm_fd, KVM_RUN, 0); /* the guest runs and writes memory */',
        exit: '/* an exit: handled in KVM (timer, IPI) and straight back in, or out to userspace */',
      });
  const kvmRun = p.fn<VcpuLocals>(n.kvm_run, (k: Kernel, f: Frame<VcpuLocals>, th: SimThread) => {
    const l = f.l;
    switch (f.pc) {
      case RUN.run:
        f.pc = RUN.exit;
        return k.computeInterruptible(Math.min(md(k).vcpus[l.v].until_exit_ns, SLICE_MAX_NS));
      default: {
        // The guest advances by the CPU time it got: on shared host CPUs, less than the time that passed.
        const elapsed = k.busyCpuNs(th);
        const vs = md(k).vcpus[l.v];
        vs.guest_ns += elapsed;
        guestWrites(k, ctx.cfg, md(k), l.v, vs, th.busy_start_ns, th.busy_start_ns + elapsed);
        if (md(k).mig.final_sync_ns >= 0 && md(k).mig.first_loss_ns < 0) noteLostWrite(k, l.v);
        if (th.result === 1) return k.ret(1); // kicked
        vs.until_exit_ns -= elapsed;
        if (vs.until_exit_ns <= 0) {
          vs.until_exit_ns = nextExitNs(k, ctx);
          return k.ret(0);
        }
        // An exit handled inside KVM (timer, IPI): straight back into the guest.
        return k.computeInterruptible(Math.min(vs.until_exit_ns, SLICE_MAX_NS));
      }
    }
  }, RUN);

  /** cpu_throttle_thread: the vCPU sleeps its share of the throttle period, BQL dropped. */
  const THR = steps({
    start: 'sleeptime_ns = (pct / (1 - pct)) * CPU_THROTTLE_TIMESLICE_NS; endtime_ns = now + sleeptime_ns;',
    check: 'while (sleeptime_ns > 0 && !cpu->stop) {',
    sleep: `    ${bql.timedwait('cpu->halt_cond', 'sleeptime_ns / SCALE_MS')};`,
    slept: '    sleeptime_ns = endtime_ns - now; }',
  });
  const throttle = p.fn<{ v: number; until_ns: number }>(n.throttle, (k, f, th) => {
    const d = md(k);
    const vs = d.vcpus[f.l.v];
    switch (f.pc) {
      case THR.start:
        f.l.until_ns = k.now + throttleSleepNs(d.throttle.pct);
        return k.jump(THR.check);
      case THR.check:
        if (f.l.until_ns - k.now <= 0 || vs.stop || d.throttle.pct === 0) {
          vs.throttle_scheduled = false;
          return k.ret();
        }
        return k.jump(THR.sleep);
      case THR.sleep:
        th.busy_start_ns = k.now;
        d.cpu_single_env = -1; // the BQL is dropped while it sleeps
        f.pc = THR.slept;
        return k.condTimedWait(ids.halt_cond[f.l.v], ids.bql, f.l.until_ns - k.now, TS.sleeping);
      default: // THR.slept
        vs.throttled_ns += k.now - th.busy_start_ns;
        d.cpu_single_env = f.l.v;
        return k.jump(THR.check);
    }
  }, THR);

  const throttled = 'if (cpu->queued_work_first) return; /* process_queued_cpu_work runs what was queued behind cpu_throttle_thread */';
  // Under TCG the BQL is dropped around tcg_cpus_exec by mttcg_cpu_thread_fn, and retaken inside
  // cpu_exec for an MMIO access (prepare_mmio_access); this frame holds both, as kvm_cpu_exec does.
  const EXEC = steps(tcg
    ? {
        put_registers: 'cpu_exec_start(cpu); /* TCG keeps the registers in env: nothing to put back */',
        unlock: `${bql.unlock}(); /* mttcg_cpu_thread_fn, or prepare_mmio_access after an MMIO */`,
        run: `ret = ${n.kvm_run}(cpu);`,
        lock: `${bql.lock}(); /* prepare_mmio_access for an MMIO; mttcg_cpu_thread_fn after a kick */`,
        exit: 'switch (ret) { /* EXCP_INTERRUPT: a kick ends the loop; a pause or the throttle is served */',
        handle: '    io_writex(...): memory_region_dispatch_write(...); /* the MMIO access, under the BQL */ }',
        throttled,
      }
    : {
        put_registers: 'if (env->kvm_vcpu_dirty) { kvm_arch_put_registers(env, KVM_PUT_RUNTIME_STATE); env->kvm_vcpu_dirty = 0; }',
        unlock: bql.qemu1 ? `cpu_single_env = NULL; ${bql.unlock}();` : `${bql.unlock}(); cpu_exec_start(cpu);`,
        run: `run_ret = ${n.kvm_run}(cpu, KVM_RUN, 0);`,
        lock: bql.qemu1 ? `${bql.lock}(); cpu_single_env = env;` : `cpu_exec_end(cpu); ${bql.lock}();`,
        exit: 'switch (run->exit_reason) { /* a kick ends the loop (EINTR); a pause or the throttle is served */',
        handle: '    case KVM_EXIT_IO: kvm_handle_io(...); case KVM_EXIT_MMIO: ...; /* under the BQL */ }',
        throttled,
      });
  const cpuExec = p.fn<VcpuLocals>(n.cpu_exec, (k, f, th) => {
    const l = f.l;
    const d = md(k);
    const vs = d.vcpus[l.v];
    switch (f.pc) {
      case EXEC.put_registers:
        if (!vs.kvm_vcpu_dirty) return k.jump(EXEC.unlock);
        vs.kvm_vcpu_dirty = false;
        f.pc = EXEC.unlock;
        return k.compute(STAGE3.PUT_REGISTERS_NS);
      case EXEC.unlock:
        d.cpu_single_env = -1;
        f.pc = EXEC.run;
        return k.unlock(ids.bql);
      case EXEC.run:
        f.pc = EXEC.lock;
        return k.call(kvmRun, { v: l.v, kicked: 0 });
      case EXEC.lock:
        l.kicked = th.result;
        f.pc = EXEC.exit;
        return k.lock(ids.bql);
      case EXEC.exit:
        d.cpu_single_env = l.v;
        if (vs.throttle_scheduled && !vs.stop) {
          // async_run_on_cpu(cpu_throttle_thread), run with the BQL held
          f.pc = EXEC.throttled;
          return k.call(throttle, { v: l.v, until_ns: 0 });
        }
        if (l.kicked === 1 || vs.stop) {
          d.cpu_single_env = -1; // kvm_cpu_exec returns
          return k.ret();
        }
        vs.exits++;
        // The exit is handled here, under the BQL (kvm_handle_io and friends are not given a frame
        // of their own: at 10 µs each they would double the trace's events for no insight).
        f.pc = EXEC.handle;
        return k.compute(ctx.cfg.workload.exit_handle_ns);
      case EXEC.throttled:
        // work queued while it slept (run_on_cpu from a sync under TCG) is served before the guest runs again
        if (vs.queued_work !== null) {
          d.cpu_single_env = -1;
          return k.ret();
        }
        return k.jump(EXEC.exit);
      default: // EXEC.handle: back into the guest
        return k.jump(EXEC.put_registers);
    }
  }, EXEC);

  const WAIT = steps({
    stopped: 'if (cpu->stop) { cpu->stop = false; cpu->stopped = true; qemu_cond_broadcast(&qemu_pause_cond); }',
    park: `while (cpu_thread_is_idle(cpu)) qemu_cond_wait(cpu->halt_cond, ${bql.mutex});`,
  });
  const waitIoEvent = p.fn<{ v: number }>(n.wait_io_event, (k, f) => {
    const vs = md(k).vcpus[f.l.v];
    switch (f.pc) {
      case WAIT.stopped:
        vs.stopped = true;
        f.pc = WAIT.park;
        return k.condBroadcast(ids.pause_cond);
      default:
        // a stopped vCPU wakes for work queued by run_on_cpu (cpu_thread_is_idle is false then)
        if (vs.stop && vs.queued_work === null) return k.park(ids.halt_cond[f.l.v], ids.bql);
        if (!vs.stop) vs.stopped = false;
        return k.ret();
    }
  }, WAIT);

  const T = steps({
    start: tcg ? `${bql.lock}(); tcg_register_thread();` : bql.qemu1 ? 'qemu_mutex_lock(&qemu_global_mutex); kvm_init_vcpu(env);' : `${bql.lock}(); kvm_init_vcpu(cpu, &error_fatal);`,
    loop: `while (1) { if (cpu_can_run(cpu)) ${n.cpu_exec}(cpu); else ${n.wait_io_event}(cpu); /* then flush_queued_work */ }`,
  });
  ctx.fn.vcpu = p.fn<VcpuLocals>(n.vcpu_thread, (k, f) => {
    const l = f.l;
    switch (f.pc) {
      case T.start:
        md(k).vcpus[l.v].until_exit_ns = nextExitNs(k, ctx);
        f.pc = T.loop;
        return k.lock(ids.bql);
      default: {
        const vs = md(k).vcpus[l.v];
        if (vs.queued_work !== null) return k.call(vm.flushQueuedWork, { v: l.v });
        if (vs.stop) return k.call(waitIoEvent, { v: l.v });
        return k.call(cpuExec, { v: l.v, kicked: 0 });
      }
    }
  }, T);
}

export function vcpuLocals(v: number): VcpuLocals {
  return { v, kicked: 0 };
}

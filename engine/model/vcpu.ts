// vCPU threads, as KVM runs them: the thread holds the BQL except while in KVM_RUN; guest code runs
// without it and writes memory; an exit to userspace (MMIO, PIO) retakes the BQL, is handled, and
// drops it again for the next KVM_RUN. A pause request (cpu->stop) with a kick makes the vCPU leave
// KVM_RUN, mark itself stopped, broadcast qemu_pause_cond and park on its halt_cond ("stopped").

import type { Kernel } from '../sim/kernel';
import type { Program } from '../sim/program';
import { TS, type Frame, type SimThread } from '../sim/types';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import { guestWrites } from './workload';
import { throttleSleepNs } from './autoConverge';

/** Longest stretch of guest time whose writes are applied at once (dirty-log resolution). */
const SLICE_MAX_NS = 20_000_000;

interface VcpuLocals {
  v: number;
  kicked: number;
}

function nextExitNs(k: Kernel, ctx: ModelCtx): number {
  const rate = ctx.cfg.workload.bql_exits_per_s;
  if (rate <= 0) return Number.MAX_SAFE_INTEGER;
  // Uniform over [0, 2/rate): the mean interval of the rate, from plain arithmetic so every host
  // draws the same sequence.
  return Math.max(1000, Math.round((2 * k.random() * 1e9) / rate));
}

export function defineVcpu(p: Program, ctx: ModelCtx): void {
  const n = ctx.names;
  const ids = ctx.ids;

  const kvmRun = p.fn<VcpuLocals>(n.kvm_run, (k: Kernel, f: Frame<VcpuLocals>, th: SimThread) => {
    const l = f.l;
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.computeInterruptible(Math.min(md(k).vcpus[l.v].until_exit_ns, SLICE_MAX_NS));
      default: {
        const elapsed = k.now - th.busy_start_ns;
        const vs = md(k).vcpus[l.v];
        vs.guest_ns += elapsed;
        guestWrites(k, ctx.cfg, md(k), l.v, vs, th.busy_start_ns, k.now);
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
  });

  /** cpu_throttle_thread: the vCPU sleeps its share of the throttle period, BQL dropped. */
  const throttle = p.fn<{ v: number; until_ns: number }>(n.throttle, (k, f, th) => {
    const d = md(k);
    const vs = d.vcpus[f.l.v];
    switch (f.pc) {
      case 0:
        f.l.until_ns = k.now + throttleSleepNs(d.throttle.pct);
        f.pc = 1;
        return k.yieldNow();
      default: {
        const left = f.l.until_ns - k.now;
        if (f.pc === 2) vs.throttled_ns += k.now - th.busy_start_ns;
        if (left <= 0 || vs.stop || d.throttle.pct === 0) {
          vs.throttle_scheduled = false;
          return k.ret();
        }
        th.busy_start_ns = k.now;
        f.pc = 2;
        return k.condTimedWait(ids.halt_cond[f.l.v], ids.bql, left, TS.sleeping);
      }
    }
  });

  const cpuExec = p.fn<VcpuLocals>(n.cpu_exec, (k, f, th) => {
    const l = f.l;
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.unlock(ids.bql);
      case 1:
        f.pc = 2;
        return k.call(kvmRun, { v: l.v, kicked: 0 });
      case 2:
        l.kicked = th.result;
        f.pc = 3;
        return k.lock(ids.bql);
      case 3:
        if (md(k).vcpus[l.v].throttle_scheduled && !md(k).vcpus[l.v].stop) {
          // async_run_on_cpu(cpu_throttle_thread), run with the BQL held
          f.pc = 3;
          return k.call(throttle, { v: l.v, until_ns: 0 });
        }
        if (l.kicked === 1 || md(k).vcpus[l.v].stop) return k.ret();
        md(k).vcpus[l.v].exits++;
        // The exit is handled here, under the BQL (kvm_handle_io and friends are not given a frame
        // of their own: at 10 µs each they would double the trace's events for no insight).
        f.pc = 4;
        return k.compute(ctx.cfg.workload.exit_handle_ns);
      default:
        f.pc = 1;
        return k.unlock(ids.bql);
    }
  });

  const waitIoEvent = p.fn<{ v: number }>(n.wait_io_event, (k, f) => {
    const vs = md(k).vcpus[f.l.v];
    switch (f.pc) {
      case 0:
        vs.stopped = true;
        f.pc = 1;
        return k.condBroadcast(ids.pause_cond);
      default:
        if (vs.stop) return k.park(ids.halt_cond[f.l.v], ids.bql);
        vs.stopped = false;
        return k.ret();
    }
  });

  ctx.fn.vcpu = p.fn<VcpuLocals>(n.vcpu_thread, (k, f) => {
    const l = f.l;
    switch (f.pc) {
      case 0:
        md(k).vcpus[l.v].until_exit_ns = nextExitNs(k, ctx);
        f.pc = 1;
        return k.lock(ids.bql);
      default:
        if (md(k).vcpus[l.v].stop) return k.call(waitIoEvent, { v: l.v });
        return k.call(cpuExec, { v: l.v, kicked: 0 });
    }
  });
}

export function vcpuLocals(v: number): VcpuLocals {
  return { v, kicked: 0 };
}

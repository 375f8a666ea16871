// Faults at chosen times (scenario `faults`): a thread that is not QEMU's ("fault injector")
// sleeps until each fault's time and applies it. A cut link stops the wire (writes then fail
// after the TCP timeout); a crashed destination resets the connection (the next write fails) and
// its threads are gone; a bandwidth collapse slows the wire. The migration thread sees a failed
// write as QEMU does (migration_detect_error) and fails; the source guest keeps running.

import { steps, type Program } from '../sim/program';
import type { ModelCtx } from './ctx';
import { md } from './ctx';

export function defineFaultInjector(p: Program, ctx: ModelCtx): void {
  const cfg = ctx.cfg;
  const F = steps({
    sleep: 'while (next fault) { sleep until its time;',
    apply: '    apply it: cut the link, slow it, or kill the destination;',
    wake_destination: '    for each destination socket: post (its threads see the dead destination and exit; a sender blocked on a full socket sees the reset) }',
  });
  ctx.fn.faults = p.fn<{ i: number }>('migtrace_fault_injector', (k, f) => {
    const d = md(k);
    const fs = d.faults;
    switch (f.pc) {
      case F.sleep: {
        if (fs.next >= cfg.faults.length) return k.ret();
        const at = cfg.start_delay_ns + cfg.faults[fs.next].at_ns;
        f.pc = F.apply;
        return k.sleep(Math.max(0, at - k.now));
      }
      case F.apply: {
        const fault = cfg.faults[fs.next++];
        if (fault.kind === 'link-cut') fs.link_cut_ns = k.now;
        else if (fault.kind === 'bandwidth-collapse') fs.bw_factor = fault.factor;
        else {
          fs.dst_crashed_ns = k.now;
          d.dst.crashed = true;
        }
        k.emit('fault', { kind: fault.kind, 'at-s': fault.at_ns / 1e9, ...(fault.kind === 'bandwidth-collapse' ? { factor: fault.factor } : {}) });
        f.l.i = 0;
        return k.jump(fault.kind === 'destination-crash' ? F.wake_destination : F.sleep);
      }
      default: {
        // The destination died: wake each of its threads (one post each) so that they exit, and
        // each sender waiting for room in its socket.
        const sems = [...ctx.ids.incoming_sem, ...ctx.ids.socket_writable_sem];
        if (f.l.i >= sems.length) return k.jump(F.sleep);
        const i = f.l.i++;
        if (i >= ctx.ids.incoming_sem.length && !d.link.flow_waiting[i - ctx.ids.incoming_sem.length]) return k.jump(F.wake_destination);
        return k.semPost(sems[i]);
      }
    }
  }, F);
}

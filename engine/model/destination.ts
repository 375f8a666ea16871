// The destination QEMU's incoming side: process_incoming_migration_co reading the main stream
// (ram_load placing pages), and a multifd_recv_thread per multifd channel. Each waits on its socket
// (io) and loads at its own per-page cost, one batch per flush of the source. When the destination
// dies (a fault), its threads exit. The downtime is measured at the source, as QEMU does.

import { steps, type Program } from '../sim/program';
import { TS } from '../sim/types';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import type { HostCosts } from './calibration';

/** The destination's CPU time to place a batch: what network.ts holds the sender back by. */
export function loadCost(host: HostCosts, zero: number, normal: number, firstTouch: number): number {
  return zero * host.load_zero_page_ns + normal * host.load_normal_page_ns + firstTouch * host.load_first_touch_ns;
}

export function defineDestination(p: Program, ctx: ModelCtx): void {
  const n = ctx.names;
  const ids = ctx.ids;
  const host = ctx.cfg.host;

  /** Loads batches of channel `ch` until the destination dies. */
  const LOAD = steps({
    wait: 'while (true) { qemu_file_get_be64(f); /* waits on the socket for the next batch */',
    arrive: '    /* the batch\'s last byte arrives */',
    place: '    memcpy(host, buf, TARGET_PAGE_SIZE); /* every page of the batch, zero pages by memset */ }',
  });
  const load = (name: string) => p.fn<{ ch: number }>(name, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case LOAD.wait:
        if (d.dst.crashed) return k.ret();
        f.pc = LOAD.arrive;
        return k.semWait(ids.incoming_sem[f.l.ch], TS.io);
      case LOAD.arrive: {
        if (d.dst.crashed) return k.ret();
        const b = d.dst.queues[f.l.ch][0];
        if (b === undefined) throw k.error(`${name}: no batch queued after a post on channel ${f.l.ch}`);
        if (b.arrive_ns <= k.now) return k.jump(LOAD.place);
        f.pc = LOAD.place;
        return k.io(b.arrive_ns - k.now);
      }
      default: {
        const b = d.dst.queues[f.l.ch].shift()!;
        d.dst.loaded_pages += b.zero_pages + b.normal_pages;
        f.pc = LOAD.wait;
        return k.compute(loadCost(host, b.zero_pages, b.normal_pages, b.first_touch_pages));
      }
    }
  }, LOAD);

  const ramLoad = load(n.ram_load);
  const one = (callee: string) => steps({ call: `${callee}(f);`, ret: 'return;' });
  const LV = one(n.ram_load);
  const loadvm = p.fn(n.loadvm, (k, f) => {
    if (f.pc === LV.ret) return k.ret();
    f.pc = LV.ret;
    return k.call(ramLoad, { ch: 0 });
  }, LV);
  const IN = one(n.loadvm);
  ctx.fn.destination = p.fn(n.incoming, (k, f) => {
    if (f.pc === IN.ret) return k.ret();
    f.pc = IN.ret;
    return k.call(loadvm, null);
  }, IN);
  const recvLoad = load('multifd_nocomp_recv');
  const RV = one('multifd_nocomp_recv');
  ctx.fn.receiver = p.fn<{ ch: number }>(n.multifd_recv_thread, (k, f) => {
    if (f.pc === RV.ret) return k.ret();
    f.pc = RV.ret;
    return k.call(recvLoad, { ch: f.l.ch });
  }, RV);
}

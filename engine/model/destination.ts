// The destination QEMU's incoming side: process_incoming_migration_co reading the main stream
// (ram_load placing pages), and a multifd_recv_thread per multifd channel. Each waits on its socket
// (io) and loads at its own per-page cost, one batch per flush of the source. When the destination
// dies (a fault), its threads exit. The downtime is measured at the source, as QEMU does.

import { steps, type Program } from '../sim/program';
import { TS } from '../sim/types';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import type { HostCosts } from './calibration';
import type { DstBatch } from './state';

/** The destination's CPU time to place a batch (its pace holds the sender back: network.ts). */
export function loadCost(host: HostCosts, b: DstBatch): number {
  return b.zero_pages * host.load_zero_page_ns + b.normal_pages * host.load_normal_page_ns + b.first_touch_normal * host.load_first_touch_ns + b.first_touch_zero * host.load_zero_first_touch_ns;
}

export function defineDestination(p: Program, ctx: ModelCtx): void {
  const n = ctx.names;
  const ids = ctx.ids;
  const host = ctx.cfg.host;

  /** Loads batches of channel `ch` until the destination dies. */
  const LOAD = steps({
    wait: 'while (true) { qemu_file_get_be64(f); /* waits on the socket for the next batch */',
    arrive: '    /* the batch\'s last byte arrives */',
    read: '    /* reading it makes room in the socket: a sender blocked on it goes on */',
    place: '    memcpy(host, buf, TARGET_PAGE_SIZE); /* every page of the batch, zero pages by memset */',
    done: '}',
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
        if (b.arrive_ns <= k.now) return k.jump(LOAD.read);
        f.pc = LOAD.read;
        return k.io(b.arrive_ns - k.now);
      }
      case LOAD.read: {
        const b = d.dst.queues[f.l.ch][0];
        d.dst.loading_bytes[f.l.ch] = b.bytes;
        if (!d.link.flow_waiting[f.l.ch]) return k.jump(LOAD.place);
        d.link.flow_waiting[f.l.ch] = false;
        f.pc = LOAD.place;
        return k.semPost(ids.socket_writable_sem[f.l.ch]);
      }
      case LOAD.place: {
        const b = d.dst.queues[f.l.ch][0];
        f.pc = LOAD.done;
        return k.compute(loadCost(host, b));
      }
      default: {
        const b = d.dst.queues[f.l.ch].shift()!;
        d.dst.loaded_pages += b.zero_pages + b.normal_pages;
        d.dst.loaded_bytes[f.l.ch] += b.bytes;
        d.dst.loading_bytes[f.l.ch] = 0;
        return k.jump(LOAD.wait);
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

// Sender threads: multifd (the modern design) and the 2012 proposal's streams (the
// dedicated-bitmap-thread design), after QEMU's multifd (research/qemu-migration-facts.md §1):
//  - the migration thread fills 128-page packets and hands each to a free channel: multifd_send
//    waits on channels_ready, picks a channel without a pending job, posts its p->sem;
//  - each multifd_send_thread loops: post channels_ready, wait p->sem, then either send the packet
//    (zero check, copy for the 2012 design, writev on the shared link) or answer a sync request
//    (a sync packet, then post p->sem_sync);
//  - multifd_send_sync_main, once per round over RAM and at completion, asks every channel for a
//    sync (pending_sync, post p->sem) and waits channels_ready and p->sem_sync for each.
// Bug variant multifd-sync-lost-post: the sync is posted only to channels without a pending
// job; a busy channel never learns of it, never posts sem_sync, and the migration thread waits
// forever — on the schedules where a channel is busy at that instant.

import type { Program } from '../sim/program';
import { QEMU } from './calibration';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import { defineWritev } from './network';

export interface MultifdFns {
  /** multifd_send: hand one packet {zero, normal, bytes} to a free channel */
  send: number;
  /** multifd_send_sync_main */
  syncMain: number;
  /** bytes of a packet of `zero` zero pages and `normal` normal pages */
  packetBytes(zero: number, normal: number): number;
}

interface Packet {
  zero: number;
  normal: number;
  bytes: number;
}

export function defineMultifd(p: Program, ctx: ModelCtx): MultifdFns {
  const n = ctx.names;
  const ids = ctx.ids;
  const cfg = ctx.cfg;
  const host = cfg.host;
  const copies = cfg.profile.senders_copy;
  const lostPost = cfg.bugs.has('multifd-sync-lost-post');

  const packetBytes = (zero: number, normal: number): number =>
    QEMU.MULTIFD_PACKET_HEADER_BYTES + QEMU.MULTIFD_PAGE_OFFSET_BYTES * (zero + normal) + QEMU.PAGE_SIZE * normal;

  const send = p.fn<Packet>(n.multifd_send, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.semWait(ids.channels_ready);
      default: {
        const chans = d.multifd.channels;
        let i = -1;
        for (let j = 0; j < chans.length; j++) {
          const c = (d.multifd.next + j) % chans.length;
          if (!chans[c].pending_job) {
            i = c;
            break;
          }
        }
        if (i < 0) throw k.error('multifd_send: channels_ready was posted but every channel has a pending job');
        const ch = chans[i];
        ch.pending_job = true;
        ch.job_zero = f.l.zero;
        ch.job_normal = f.l.normal;
        ch.job_bytes = f.l.bytes;
        d.multifd.next = (i + 1) % chans.length;
        f.pc = 2;
        return k.semPost(ids.channel_sem[i]);
      }
      case 2:
        return k.ret();
    }
  });

  const syncMain = p.fn<{ i: number; phase: number }>(n.multifd_send_sync_main, (k, f) => {
    const d = md(k);
    const chans = d.multifd.channels;
    const l = f.l;
    if (l.phase === 0) {
      // Ask every channel for a sync.
      while (l.i < chans.length) {
        const i = l.i++;
        if (lostPost && chans[i].pending_job) continue; // the bug: a busy channel is skipped
        chans[i].pending_sync = true;
        return k.semPost(ids.channel_sem[i]);
      }
      l.phase = 1;
      l.i = 0;
    }
    if (l.i >= chans.length) return k.ret();
    if (l.phase === 1) {
      l.phase = 2;
      return k.semWait(ids.channels_ready);
    }
    l.phase = 1;
    return k.semWait(ids.channel_sync_sem[l.i++]);
  });

  /** multifd_nocomp_send_prepare (or the 2012 proposal's copy): per-page CPU in the sender. */
  const prepare = p.fn<{ cost: number }>(n.multifd_send_prepare, (k, f) => {
    if (f.pc === 1) return k.ret();
    f.pc = 1;
    return k.compute(f.l.cost);
  });

  const writev = defineWritev(p, ctx);

  ctx.fn.sender = p.fn<{ i: number }>(n.multifd_send_thread, (k, f) => {
    const d = md(k);
    const ch = d.multifd.channels[f.l.i];
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.semPost(ids.channels_ready);
      case 1:
        f.pc = 2;
        return k.semWait(ids.channel_sem[f.l.i]);
      case 2:
        if (ch.pending_job) {
          const cost = ch.job_zero * host.zero_page_ns + ch.job_normal * (host.zero_check_normal_ns + (copies ? host.normal_page_ns : 0));
          f.pc = 3;
          return k.call(prepare, { cost });
        }
        if (ch.pending_sync) {
          f.pc = 6;
          return k.call(writev, { bytes: QEMU.MULTIFD_PACKET_HEADER_BYTES, ch: f.l.i + 1, start_ns: 0, zero: 0, normal: 0 });
        }
        f.pc = 0; // a post with nothing to do
        return k.yieldNow();
      case 3:
        f.pc = 4;
        return k.call(writev, { bytes: ch.job_bytes, ch: f.l.i + 1, start_ns: 0, zero: ch.job_zero, normal: ch.job_normal });
      case 4: {
        const m = d.mig;
        m.transferred_bytes += ch.job_bytes;
        m.multifd_bytes += ch.job_bytes;
        m.window_bytes += ch.job_bytes;
        if (m.stage === 'stop-copy') m.downtime_bytes += ch.job_bytes;
        else k.progress();
        ch.packets++;
        ch.bytes += ch.job_bytes;
        ch.pending_job = false;
        f.pc = 0;
        return k.yieldNow();
      }
      default: {
        // case 6: the sync packet is out
        ch.pending_sync = false;
        f.pc = 0;
        return k.semPost(ids.channel_sync_sem[f.l.i]);
      }
    }
  });

  return { send, syncMain, packetBytes };
}

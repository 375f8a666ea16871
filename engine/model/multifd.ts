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

import { steps, type Program } from '../sim/program';
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

  const SEND = steps({
    wait: 'qemu_sem_wait(&multifd_send_state->channels_ready);',
    pick: 'p = next channel without pending_job; p->pending_job = true; /* the packet */ qemu_sem_post(&p->sem);',
    ret: 'return true;',
  });
  const send = p.fn<Packet>(n.multifd_send, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case SEND.wait:
        f.pc = SEND.pick;
        return k.semWait(ids.channels_ready);
      case SEND.pick: {
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
        f.pc = SEND.ret;
        return k.semPost(ids.channel_sem[i]);
      }
      default:
        return k.ret();
    }
  }, SEND);

  const SYNC = steps({
    post: lostPost
      ? 'for (i = 0; i < channels; i++) { p->pending_sync = true; if (p->pending_job && !p->sending) continue; /* the bug: it will see the flag */ qemu_sem_post(&p->sem); }'
      : 'for (i = 0; i < channels; i++) { p->pending_sync = true; qemu_sem_post(&p->sem); }',
    wait_ready: 'for (i = 0; i < channels; i++) { qemu_sem_wait(&multifd_send_state->channels_ready);',
    wait_sync: '    qemu_sem_wait(&p->sem_sync); }',
  });
  const syncMain = p.fn<{ i: number; phase: number }>(n.multifd_send_sync_main, (k, f) => {
    const d = md(k);
    const chans = d.multifd.channels;
    const l = f.l;
    switch (f.pc) {
      case SYNC.post:
        // Ask every channel for a sync.
        while (l.i < chans.length) {
          const i = l.i++;
          chans[i].pending_sync = true;
          // the bug: a channel whose packet is queued but not yet taken is left to see the flag
          if (lostPost && chans[i].pending_job && !chans[i].sending) continue;
          return k.semPost(ids.channel_sem[i]);
        }
        l.i = 0;
        return k.jump(SYNC.wait_ready);
      case SYNC.wait_ready:
        if (l.i >= chans.length) return k.ret();
        f.pc = SYNC.wait_sync;
        return k.semWait(ids.channels_ready);
      default: // SYNC.wait_sync
        f.pc = SYNC.wait_ready;
        return k.semWait(ids.channel_sync_sem[l.i++]);
    }
  }, SYNC);

  /** multifd_nocomp_send_prepare (or the 2012 proposal's copy): per-page CPU in the sender. */
  const PREP = steps({ prepare: copies ? 'memcpy(p->packet, host page, TARGET_PAGE_SIZE); /* per page: zero check and copy */' : 'multifd_send_zero_page_detect(p); /* per page: buffer_is_zero */', ret: 'return 0;' });
  const prepare = p.fn<{ cost: number }>(n.multifd_send_prepare, (k, f) => {
    if (f.pc === PREP.ret) return k.ret();
    f.pc = PREP.ret;
    return k.compute(f.l.cost);
  }, PREP);

  const writev = defineWritev(p, ctx);

  const T = steps({
    ready: 'while (true) { qemu_sem_post(&multifd_send_state->channels_ready);',
    wait: '    qemu_sem_wait(&p->sem);',
    what: '    if (qatomic_read(&p->pending_job)) {',
    read_flags: '        sync_seen = p->pending_sync; /* the bug: read once, before the job is taken */',
    take: '        p->sending = true;',
    prepare: `        ${n.multifd_send_prepare}(p, &local_err);`,
    write: `        ${n.writev}(p->c, p->iov, p->iovs_num); /* qio_channel_writev_full_all */`,
    done_job: '        p->pending_job = false; stat64_add(&mig_stats.multifd_bytes, p->packet_len); }',
    ready_then_sync: '        qemu_sem_post(&multifd_send_state->channels_ready); if (sync_seen) goto sync; }',
    nothing: '    /* a post with nothing to do */',
    sync: '    else if (qatomic_read(&p->pending_sync)) { /* a sync packet */ qio_channel_write_all(p->c, p->packet);',
    done_sync: '        p->pending_sync = false; qemu_sem_post(&p->sem_sync); } }',
  });
  ctx.fn.sender = p.fn<{ i: number; sync_seen: boolean }>(n.multifd_send_thread, (k, f) => {
    const d = md(k);
    const ch = d.multifd.channels[f.l.i];
    switch (f.pc) {
      case T.ready:
        f.pc = T.wait;
        return k.semPost(ids.channels_ready);
      case T.wait:
        f.pc = T.what;
        return k.semWait(ids.channel_sem[f.l.i]);
      case T.what:
        if (ch.pending_job) return k.jump(lostPost ? T.read_flags : T.take);
        if (ch.pending_sync) return k.jump(T.sync);
        return k.jump(T.nothing);
      case T.read_flags:
        // The flags are read before the job is taken, without p->mutex: another thread can
        // write them between this statement and the next (a scheduling point QEMU has, on another CPU).
        f.l.sync_seen = ch.pending_sync;
        f.pc = T.take;
        return k.yieldNow();
      case T.take:
        ch.sending = true;
        return k.jump(T.prepare);
      case T.prepare: {
        // (QEMU before 9.0: the migration thread has done the zero check; the packet holds normal pages only)
        const zeroCheck = cfg.profile.zero_pages_on_main_stream ? 0 : host.zero_check_normal_ns;
        const cost = ch.job_zero * host.zero_page_ns + ch.job_normal * (zeroCheck + (copies ? host.normal_page_ns : 0));
        f.pc = T.write;
        return k.call(prepare, { cost });
      }
      case T.write:
        f.pc = T.done_job;
        return k.call(writev, { bytes: ch.job_bytes, ch: f.l.i + 1, start_ns: 0, zero: ch.job_zero, normal: ch.job_normal });
      case T.done_job: {
        const m = d.mig;
        m.transferred_bytes += ch.job_bytes;
        m.multifd_bytes += ch.job_bytes;
        m.window_bytes += ch.job_bytes;
        if (m.stage === 'stop-copy') m.downtime_bytes += ch.job_bytes;
        else k.progress();
        ch.packets++;
        ch.bytes += ch.job_bytes;
        ch.pending_job = false;
        ch.sending = false;
        return k.jump(lostPost && f.l.sync_seen ? T.ready_then_sync : T.ready);
      }
      case T.ready_then_sync:
        f.l.sync_seen = false;
        f.pc = T.sync;
        return k.semPost(ids.channels_ready);
      case T.nothing:
        return k.jump(T.ready);
      case T.sync:
        f.pc = T.done_sync;
        return k.call(writev, { bytes: QEMU.MULTIFD_PACKET_HEADER_BYTES, ch: f.l.i + 1, start_ns: 0, zero: 0, normal: 0 });
      default: // T.done_sync
        ch.pending_sync = false;
        f.pc = T.ready;
        return k.semPost(ids.channel_sync_sem[f.l.i]);
    }
  }, T);

  return { send, syncMain, packetBytes };
}

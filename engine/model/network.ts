// The link between source and destination: one wire shared by every stream (the main channel
// and multifd channels take turns at packet granularity), at the link's bandwidth, possibly
// collapsed or cut by a fault, and a destination that may die. A sender hands bytes to its socket;
// the wire carries them from the moment the write began; the sender may run ahead of the wire
// by one socket buffer, and beyond that waits (io). The destination drains each channel at its
// own pace (destination.ts loadCost: placing pages, faulting in RAM it never touched); the sender
// may also run ahead of that by one socket buffer, and no further (TCP flow control).

import type { Kernel } from '../sim/kernel';
import { steps, type Program } from '../sim/program';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import { loadCost } from './destination';

export interface WireResult {
  /** when the sender can go on (its bytes are in the socket, or the write failed) */
  resume_ns: number;
  /** why the write failed, or '' */
  error: string;
  /** when the bytes reach the destination (if they do) */
  arrive_ns: number;
  /** of the batch's pages, those the destination writes for the first time */
  first_touch_pages: number;
}

/**
 * Sends `bytes` (`zero` and `normal` pages) on destination channel `ch` (0 the main stream, 1.. the
 * multifd channels), whose write began at `start_ns`; called when the sender's CPU work is done.
 */
export function wireSend(k: Kernel, ctx: ModelCtx, start_ns: number, bytes: number, ch: number, zero: number, normal: number): WireResult {
  const d = md(k);
  const cfg = ctx.cfg;
  const f = d.faults;
  const now = k.now;
  if (f.dst_crashed_ns >= 0 && f.dst_crashed_ns <= now) {
    return { resume_ns: now, error: `Connection reset by peer: the destination QEMU died at ${(f.dst_crashed_ns / 1e9).toFixed(3)} s`, arrive_ns: -1, first_touch_pages: 0 };
  }
  if (f.link_cut_ns >= 0 && f.link_cut_ns <= now) {
    const gives_up = Math.max(now, f.link_cut_ns + cfg.tcp_timeout_ns);
    return { resume_ns: gives_up, error: `Connection timed out: the link was cut at ${(f.link_cut_ns / 1e9).toFixed(3)} s`, arrive_ns: -1, first_touch_pages: 0 };
  }
  const link = d.link;
  const rate = cfg.link_bytes_per_s * f.bw_factor;
  const start = Math.max(start_ns, link.free_at_ns);
  const done = start + Math.round((bytes * 1e9) / rate);
  link.free_at_ns = done;
  link.bytes_total += bytes;
  const bufferNs = (cfg.host.socket_buffer_bytes * 1e9) / rate;
  const arrive = done + cfg.link_latency_ns;
  // Every page is sent once before any is sent again (the first pass), so the first `pages`
  // handed to the wire are the destination's first touches.
  const pages = zero + normal;
  const first = Math.max(0, Math.min(pages, cfg.pages - link.pages_handed));
  link.pages_handed += pages;
  const loadNs = loadCost(cfg.host, zero, normal, first);
  // A stream, not a parcel: the destination places pages as they arrive, from the first byte on.
  const loaded = Math.max(arrive, Math.max(start + cfg.link_latency_ns, link.dst_free_at_ns[ch]) + loadNs);
  link.dst_free_at_ns[ch] = loaded;
  const dstBufferNs = bytes > 0 ? (cfg.host.socket_buffer_bytes * loadNs) / bytes : 0;
  const resume = Math.max(now, Math.round(done - bufferNs), Math.round(loaded - dstBufferNs));
  return { resume_ns: resume, error: '', arrive_ns: arrive, first_touch_pages: first };
}

export interface WritevLocals {
  bytes: number;
  /** destination channel: 0 the main stream, 1.. the multifd channels */
  ch: number;
  zero: number;
  normal: number;
  /** when the write began: the wire carries data while the kernel is still copying the rest */
  start_ns: number;
}

/**
 * writev on a migration socket: the kernel's copy (CPU per byte), then the wire and the
 * destination's pace (wireSend); the batch is queued for the destination's loader of that channel.
 * A failed write records the stream's error. Shared by the main stream and the multifd channels.
 */
export function defineWritev(p: Program, ctx: ModelCtx): number {
  const ids = ctx.ids;
  const host = ctx.cfg.host;
  const W = steps({
    copy: 'sendmsg(fd, iov, niov); /* the kernel copies the bytes into the socket */',
    wire: '/* the wire and the destination\'s pace: blocks while the socket buffer is full */',
    arrive: '/* the bytes reach the destination\'s socket */',
    ret: 'return len;',
  });
  return p.fn<WritevLocals>(ctx.names.writev, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case W.copy:
        f.l.start_ns = k.now;
        f.pc = W.wire;
        return k.compute(Math.round((f.l.bytes / 1024) * host.send_ns_per_kib));
      case W.wire: {
        const w = wireSend(k, ctx, f.l.start_ns, f.l.bytes, f.l.ch, f.l.zero, f.l.normal);
        if (w.error !== '') {
          if (d.mig.error === '') d.mig.error = w.error;
          f.pc = W.ret;
        } else {
          d.dst.queues[f.l.ch].push({ arrive_ns: w.arrive_ns, zero_pages: f.l.zero, normal_pages: f.l.normal, first_touch_pages: w.first_touch_pages });
          f.pc = W.arrive;
        }
        if (w.resume_ns > k.now) return k.io(w.resume_ns - k.now);
        return k.jump(f.pc);
      }
      case W.arrive:
        f.pc = W.ret;
        return k.semPost(ids.incoming_sem[f.l.ch]);
      default:
        return k.ret();
    }
  }, W);
}

// The link between source and destination: one wire shared by every stream (the main channel
// and multifd channels take turns at packet granularity), at the link's bandwidth, possibly
// collapsed or cut by a fault, and a destination that may die. A sender hands bytes to its socket:
// the kernel copies them (CPU, in the sender's thread), the wire carries them from the moment the
// write began, and the sender may run ahead of the wire by one socket buffer. TCP flow control: a
// channel may hold at most one socket buffer of bytes that its destination thread has not yet
// begun to read (destination.ts); beyond that the sender waits until the destination has caught up, so
// the destination's own pace (placing pages, faulting in RAM it never touched, sharing the host's
// CPUs) holds the sender back as it does on a real host.
//
// On a host whose threads each have a CPU of their own (HostCosts.cpus 0: the published hosts),
// the destination's pace does not depend on what else runs, so it is computed in closed form
// instead (the sender goes on once what it sent fits a socket buffer ahead of the destination's
// estimated progress), writes go in one piece, and no flow-control wait is needed: the figures
// and traces of those hosts stay as they were before the thread-level mechanism came in.

import type { Kernel } from '../sim/kernel';
import { steps, type Program } from '../sim/program';
import { TS } from '../sim/types';
import type { ModelCtx } from './ctx';
import type { HostCosts } from './calibration';
import { md } from './ctx';
import { loadCost } from './destination';

export interface WireResult {
  /** when the sender can go on as far as the wire is concerned (its bytes are in the socket, or the write failed) */
  resume_ns: number;
  /** why the write failed, or '' */
  error: string;
  /** when the bytes reach the destination (if they do) */
  arrive_ns: number;
  /** of the batch's pages, those the destination writes for the first time: zero pages, normal pages */
  first_touch_zero: number;
  first_touch_normal: number;
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
    return { resume_ns: now, error: `Connection reset by peer: the destination QEMU died at ${(f.dst_crashed_ns / 1e9).toFixed(3)} s`, arrive_ns: -1, first_touch_zero: 0, first_touch_normal: 0 };
  }
  if (f.link_cut_ns >= 0 && f.link_cut_ns <= now) {
    const gives_up = Math.max(now, f.link_cut_ns + cfg.tcp_timeout_ns);
    return { resume_ns: gives_up, error: `Connection timed out: the link was cut at ${(f.link_cut_ns / 1e9).toFixed(3)} s`, arrive_ns: -1, first_touch_zero: 0, first_touch_normal: 0 };
  }
  const link = d.link;
  const rate = cfg.link_bytes_per_s * f.bw_factor;
  const start = Math.max(start_ns, link.free_at_ns);
  const done = start + Math.round((bytes * 1e9) / rate);
  link.free_at_ns = done;
  link.bytes_total += bytes;
  const bufferNs = (cfg.host.socket_buffer_bytes * 1e9) / rate;
  // Every page is sent once before any is sent again (the first pass), so the first `pages`
  // handed to the wire are the destination's first touches.
  const pages = zero + normal;
  const first = Math.max(0, Math.min(pages, cfg.pages - link.pages_handed));
  link.pages_handed += pages;
  const firstZero = first === pages ? zero : Math.min(zero, Math.round((first * zero) / Math.max(1, pages)));
  const arrive = done + cfg.link_latency_ns;
  let resume = Math.max(now, Math.round(done - bufferNs));
  if (!destinationPaceByThread(cfg.host)) {
    // the destination's pace in closed form: a stream, not a parcel, placed from the first byte on
    const loadNs = loadCost(cfg.host, { arrive_ns: arrive, bytes, zero_pages: zero, normal_pages: normal, first_touch_zero: firstZero, first_touch_normal: first - firstZero });
    const loaded = Math.max(arrive, Math.max(start + cfg.link_latency_ns, link.dst_free_at_ns[ch]) + loadNs);
    link.dst_free_at_ns[ch] = loaded;
    const dstBufferNs = bytes > 0 ? (cfg.host.socket_buffer_bytes * loadNs) / bytes : 0;
    resume = Math.max(resume, Math.round(loaded - dstBufferNs));
  }
  return { resume_ns: resume, error: '', arrive_ns: arrive, first_touch_zero: firstZero, first_touch_normal: first - firstZero };
}

/**
 * Whether the destination's own thread sets the sender's pace (TCP flow control from what it has
 * read, writes in socket-sized pieces): on hosts whose CPUs the threads share. Elsewhere the
 * destination's pace is computed in closed form (wireSend).
 */
export function destinationPaceByThread(host: HostCosts): boolean {
  return host.cpus > 0;
}

/**
 * A write goes to the socket, and on to the destination, in pieces of at most this many bytes:
 * the kernel copies into the socket buffer as room frees, and the destination reads what has
 * arrived. A modelling granularity (half the 4 MiB socket buffer), not a kernel constant.
 */
export const SOCKET_CHUNK_BYTES = 2 * 1024 * 1024;

export interface WritevLocals {
  bytes: number;
  /** destination channel: 0 the main stream, 1.. the multifd channels */
  ch: number;
  zero: number;
  normal: number;
  /** when the write began: the wire carries data while the kernel is still copying the rest */
  start_ns: number;
  /** when the wire lets the sender go on */
  resume_ns: number;
  /** the piece being written: bytes, zero pages, normal pages (set by the function itself) */
  c_bytes: number;
  c_zero: number;
  c_normal: number;
}

/**
 * writev on a migration socket: the kernel's copy (CPU per byte), then the wire; the batch is
 * queued for the destination's loader of that channel; then TCP flow control (wait while the
 * channel holds more than a socket buffer the destination has not loaded) and the wire's own
 * buffer. A failed write records the stream's error. Shared by the main stream and multifd channels.
 */
export function defineWritev(p: Program, ctx: ModelCtx): number {
  const ids = ctx.ids;
  const host = ctx.cfg.host;
  const byThread = destinationPaceByThread(host);
  const chunk = byThread ? SOCKET_CHUNK_BYTES : Number.MAX_SAFE_INTEGER;
  const W = steps({
    piece: 'while (len > 0) { /* as much as the socket takes */',
    copy: '    sendmsg(fd, iov, niov); /* the kernel copies the bytes into the socket */',
    wire: '    /* the bytes go on the wire; the destination reads them as they arrive */',
    buffer: '    /* the wire drains the send buffer: blocks while it is full */',
    arrive: '    /* the bytes are on their way to the destination\'s socket */',
    flow: '    /* TCP flow control: the socket is full while the destination has not read what it holds */ }',
    ret: 'return len;',
  });
  return p.fn<WritevLocals>(ctx.names.writev, (k, f) => {
    const d = md(k);
    const l = f.l;
    const ch = l.ch;
    switch (f.pc) {
      case W.piece: {
        // (in closed form, every call writes once, even with nothing to write: the figures of the
        // hosts without shared CPUs were fitted so; the thread-level path skips an empty write)
        const first = !byThread && l.c_bytes === undefined;
        if ((l.bytes <= 0 && !first) || d.mig.error !== '') return k.jump(W.ret);
        // the pages go in proportion to their bytes; the last piece takes what is left
        const b = Math.min(l.bytes, chunk);
        const share = b / l.bytes;
        l.c_bytes = b;
        l.c_normal = b === l.bytes ? l.normal : Math.min(l.normal, Math.round(l.normal * share));
        l.c_zero = b === l.bytes ? l.zero : Math.min(l.zero, Math.round(l.zero * share));
        l.bytes -= b;
        l.normal -= l.c_normal;
        l.zero -= l.c_zero;
        return k.jump(W.copy);
      }
      case W.copy:
        l.start_ns = k.now;
        f.pc = W.wire;
        return k.compute(Math.round((l.c_bytes / 1024) * host.send_ns_per_kib));
      case W.wire: {
        const cb = l.c_bytes;
        const w = wireSend(k, ctx, l.start_ns, cb, ch, l.c_zero, l.c_normal);
        l.resume_ns = w.resume_ns;
        if (w.error !== '') {
          if (d.mig.error === '') d.mig.error = w.error;
          l.c_bytes = -1; // nothing reaches the destination
        } else {
          d.dst.queues[ch].push({ arrive_ns: w.arrive_ns, bytes: cb, zero_pages: l.c_zero, normal_pages: l.c_normal, first_touch_zero: w.first_touch_zero, first_touch_normal: w.first_touch_normal });
          d.link.sent_bytes[ch] += cb;
        }
        return k.jump(W.buffer);
      }
      case W.buffer:
        // the destination's loader hears of the batch once the sender is past the wire's buffer:
        // no later than the bytes arrive (resume_ns <= arrive_ns), so its pace is not changed
        f.pc = W.arrive;
        if (l.resume_ns > k.now) return k.io(l.resume_ns - k.now);
        return k.jump(W.arrive);
      case W.arrive:
        if (l.c_bytes < 0) return k.jump(W.piece);
        f.pc = W.flow;
        return k.semPost(ids.incoming_sem[ch]);
      case W.flow:
        // what the destination has not begun to read is what fills the socket
        f.pc = W.piece;
        if (!byThread || d.dst.crashed || d.link.sent_bytes[ch] - d.dst.loaded_bytes[ch] - d.dst.loading_bytes[ch] <= host.socket_buffer_bytes) return k.jump(W.piece);
        d.link.flow_waiting[ch] = true;
        return k.semWait(ids.socket_writable_sem[ch], TS.io);
      default:
        return k.ret();
    }
  }, W);
}

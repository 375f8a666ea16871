// The link between source and destination: one wire shared by every stream (the main channel
// and multifd channels take turns at packet granularity), at the link's bandwidth, possibly
// collapsed or cut by a fault, and a destination that may die. A sender hands bytes to its socket;
// the wire carries them from the moment the write began; the sender may run ahead of the wire
// by one socket buffer, and beyond that waits (io).

import type { Kernel } from '../sim/kernel';
import type { ModelCtx } from './ctx';
import { md } from './ctx';

export interface WireResult {
  /** when the sender can go on (its bytes are in the socket, or the write failed) */
  resume_ns: number;
  /** why the write failed, or '' */
  error: string;
  /** when the bytes reach the destination (if they do) */
  arrive_ns: number;
}

/** Sends `bytes` whose write began at `start_ns`; called when the sender's CPU work is done. */
export function wireSend(k: Kernel, ctx: ModelCtx, start_ns: number, bytes: number): WireResult {
  const d = md(k);
  const cfg = ctx.cfg;
  const f = d.faults;
  const now = k.now;
  if (f.dst_crashed_ns >= 0 && f.dst_crashed_ns <= now) {
    return { resume_ns: now, error: `Connection reset by peer: the destination QEMU died at ${(f.dst_crashed_ns / 1e9).toFixed(3)} s`, arrive_ns: -1 };
  }
  if (f.link_cut_ns >= 0 && f.link_cut_ns <= now) {
    const gives_up = Math.max(now, f.link_cut_ns + cfg.tcp_timeout_ns);
    return { resume_ns: gives_up, error: `Connection timed out: the link was cut at ${(f.link_cut_ns / 1e9).toFixed(3)} s`, arrive_ns: -1 };
  }
  const link = d.link;
  const rate = cfg.link_bytes_per_s * f.bw_factor;
  const start = Math.max(start_ns, link.free_at_ns);
  const done = start + Math.round((bytes * 1e9) / rate);
  link.free_at_ns = done;
  link.bytes_total += bytes;
  const bufferNs = (cfg.host.socket_buffer_bytes * 1e9) / rate;
  return { resume_ns: Math.max(now, Math.round(done - bufferNs)), error: '', arrive_ns: done + cfg.link_latency_ns };
}

// Guest writes. A vCPU that ran guest code for an interval writes pages at the workload's rate,
// in bursts of `run_pages` consecutive pages placed by the workload's distribution. The writes of
// an interval are applied when the vCPU leaves KVM_RUN (a userspace exit, a kick, or the end of a
// 20 ms slice). A sync that runs meanwhile sees them at the next sync, as KVM's log would; the
// final sync runs after every vCPU was kicked and stopped, so it sees every write.

import type { Kernel } from '../sim/kernel';
import type { ModelConfig } from './config';
import { dirtyRange } from './guestRam';
import type { MigData } from './state';

export interface WriterLocals {
  /** fractional page writes carried to the next interval, so the rate is exact over time */
  carry: number;
  carry_after: number;
}

/** Writes after the workload stopped: the guest idles, writing single pages uniformly over a small region. */
function afterStopWrites(k: Kernel, cfg: ModelConfig, d: MigData, l: WriterLocals, from_ns: number, to_ns: number): void {
  const w = cfg.workload;
  const a = w.after_stop;
  if (a === null || w.stop_ns < 0 || a.dirty_pages_per_s <= 0 || a.ws_pages <= 0) return;
  const start = Math.max(from_ns, cfg.start_delay_ns + w.stop_ns);
  if (to_ns <= start) return;
  const pages = (a.dirty_pages_per_s / cfg.vcpus) * ((to_ns - start) / 1e9) + l.carry_after;
  const runs = Math.floor(pages);
  l.carry_after = pages - runs;
  for (let i = 0; i < runs; i++) dirtyRange(d.ram, a.ws_offset_page + Math.floor(k.random() * a.ws_pages), 1);
}

/** Applies the writes vCPU `v` made while running guest code over [from_ns, to_ns). */
export function guestWrites(k: Kernel, cfg: ModelConfig, d: MigData, v: number, l: WriterLocals, from_ns: number, to_ns: number): void {
  const w = cfg.workload;
  afterStopWrites(k, cfg, d, l, from_ns, to_ns);
  if (w.dirty_pages_per_s <= 0 || w.ws_pages <= 0) return;
  const base = cfg.start_delay_ns;
  const a = Math.max(from_ns, base + w.start_ns);
  const b = w.stop_ns < 0 ? to_ns : Math.min(to_ns, base + w.stop_ns);
  if (b <= a) return;
  const pages = (w.dirty_pages_per_s / cfg.vcpus) * ((b - a) / 1e9) + l.carry;
  const run = w.run_pages;
  const runs = Math.floor(pages / run);
  l.carry = pages - runs * run;
  if (runs === 0) return;
  const ram = d.ram;
  const vs = d.vcpus[v];
  vs.pages_written += runs * run;
  const span = Math.max(1, w.ws_pages - run + 1);
  switch (w.distribution) {
    case 'uniform':
      for (let i = 0; i < runs; i++) dirtyRange(ram, w.ws_offset_page + Math.floor(k.random() * span), run);
      return;
    case 'hot-cold': {
      const hot = Math.min(w.hot_pages, w.ws_pages);
      const hotSpan = Math.max(1, hot - run + 1);
      const coldSpan = Math.max(1, w.ws_pages - hot - run + 1);
      for (let i = 0; i < runs; i++) {
        const inHot = hot >= w.ws_pages || k.random() < w.hot_weight;
        const off = inHot ? Math.floor(k.random() * hotSpan) : hot + Math.floor(k.random() * coldSpan);
        dirtyRange(ram, w.ws_offset_page + off, run);
      }
      return;
    }
    case 'sequential': {
      // Each vCPU sweeps its own share of the working set (an OpenMP static schedule; one vCPU
      // sweeps all of it, like the migration-test boot sector).
      const share = Math.max(run, Math.floor(w.ws_pages / cfg.vcpus));
      const first = w.ws_offset_page + v * share;
      let cur = d.workload.seq_cursor[v];
      let left = runs * run;
      while (left > 0) {
        const n = Math.min(left, share - cur);
        dirtyRange(ram, first + cur, n);
        left -= n;
        cur += n;
        if (cur >= share) cur = 0;
      }
      d.workload.seq_cursor[v] = cur;
      return;
    }
  }
}

/** Whether the workload writes at time `t_ns`. */
export function workloadActive(cfg: ModelConfig, t_ns: number): boolean {
  const w = cfg.workload;
  const rel = t_ns - cfg.start_delay_ns;
  return w.dirty_pages_per_s > 0 && rel >= w.start_ns && (w.stop_ns < 0 || rel < w.stop_ns);
}

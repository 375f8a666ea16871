// Auto-converge (capability `auto-converge`, QEMU 1.6, 7ca1dfad952d; today's formulas from
// migration/ram.c and migration/cpu-throttle.c, research/qemu-migration-facts.md §2):
//  - migration_trigger_throttle, at the end of each dirty-rate period (≥ 1 s between syncs): if the
//    bytes dirtied in the period exceed throttle-trigger-threshold (50%) of the bytes sent in it,
//    twice in a row, throttle: cpu-throttle-initial (20%) the first time, then + increment (10%),
//    up to max-cpu-throttle (99%).
//  - the throttle timer ticks every CPU_THROTTLE_TIMESLICE / (1 − pct) and has each vCPU run
//    cpu_throttle_thread, which sleeps pct / (1 − pct) × CPU_THROTTLE_TIMESLICE with the BQL dropped.

import type { Kernel } from '../sim/kernel';
import { QEMU } from './calibration';
import type { ModelCtx } from './ctx';
import { md } from './ctx';

/** Called when a dirty-rate period ends, with the pages dirtied in it. */
export function triggerThrottle(k: Kernel, ctx: ModelCtx, period_dirty_pages: number): void {
  const ac = ctx.cfg.auto_converge;
  const d = md(k);
  const t = d.throttle;
  const xfer = d.mig.transferred_bytes - t.xfer_prev;
  t.xfer_prev = d.mig.transferred_bytes;
  if (!ac.enabled) return;
  const dirtyBytes = period_dirty_pages * QEMU.PAGE_SIZE;
  const threshold = (xfer * ac.trigger_threshold_pct) / 100;
  if (dirtyBytes > threshold && ++t.dirty_rate_high_cnt >= QEMU.THROTTLE_TRIGGER_PERIODS) {
    t.dirty_rate_high_cnt = 0;
    const pct = t.pct === 0 ? ac.initial_pct : Math.min(t.pct + ac.increment_pct, ac.max_pct);
    if (pct !== t.pct) {
      if (t.pct === 0) t.next_tick_ns = k.now;
      t.pct = pct;
      t.steps++;
      if (pct > t.max_pct) t.max_pct = pct;
      k.emit('throttle', { 'cpu-throttle-percentage': pct, 'dirty-bytes': dirtyBytes, 'threshold-bytes': Math.round(threshold) });
    }
  }
}

/** cpu_throttle_stop: at completion or failure. */
export function throttleStop(k: Kernel): void {
  const t = md(k).throttle;
  if (t.pct === 0) return;
  t.pct = 0;
  t.next_tick_ns = -1;
  k.emit('throttle', { 'cpu-throttle-percentage': 0 });
}

/** The throttle timer's period at the current percentage. */
export function throttlePeriodNs(pct: number): number {
  return Math.round(QEMU.CPU_THROTTLE_TIMESLICE_NS / (1 - pct / 100));
}

/** How long cpu_throttle_thread sleeps at the current percentage. */
export function throttleSleepNs(pct: number): number {
  const p = pct / 100;
  return Math.round((p / (1 - p)) * QEMU.CPU_THROTTLE_TIMESLICE_NS);
}

// migration_update_counters, every BUFFER_DELAY (100 ms): bandwidth over the window, the
// threshold (bandwidth × downtime-limit) that decides when to stop and copy, throughput, pages
// per second and expected downtime; then a stats sample for the trace. Also the dirty-rate period
// of migration_bitmap_sync (≥ 1 s) that gives dirty-pages-rate.

import type { Kernel } from '../sim/kernel';
import { QEMU } from './calibration';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import { queryMigrate } from './stats';
import { triggerThrottle } from './autoConverge';

/** Ends the counter window if 100 ms have passed since it began. */
export function updateCounters(k: Kernel, ctx: ModelCtx): void {
  const d = md(k);
  const m = d.mig;
  const now = k.now;
  const elapsed = now - m.window_start_ns;
  if (elapsed < QEMU.BUFFER_DELAY_NS) return;
  const ms = elapsed / 1e6;
  m.bandwidth_bytes_per_ms = m.window_bytes / ms;
  m.threshold_bytes = m.bandwidth_bytes_per_ms * ctx.cfg.downtime_limit_ms;
  m.mbps = (m.window_bytes * 8) / (ms / 1000) / 1e6;
  m.pages_per_second = (m.window_pages * 1000) / ms;
  // QEMU recomputes it only from a window that sent more than 10,000 bytes (a slow limit keeps
  // the previous value, first the downtime limit itself).
  if (m.dirty_pages_rate !== 0 && m.window_bytes > QEMU.EXPECTED_DOWNTIME_MIN_BYTES && m.bandwidth_bytes_per_ms > 0) {
    m.expected_downtime_ms = m.dirty_bytes_last_sync / m.bandwidth_bytes_per_ms;
  }
  if (m.window_bytes > m.peak_window_bytes) m.peak_window_bytes = m.window_bytes;
  m.window_start_ns = now;
  m.window_bytes = 0;
  m.window_pages = 0;
  k.emit('stats', queryMigrate(k, ctx));
}

/**
 * The sync-period bookkeeping of migration_bitmap_sync: when ≥ 1 s passed since the period
 * began, auto-converge's trigger looks at the period, then dirty-pages-rate is updated.
 */
export function updateDirtyRate(k: Kernel, ctx: ModelCtx, newly_dirty: number): void {
  const m = md(k).mig;
  m.period_dirty_pages += newly_dirty;
  const elapsed = k.now - m.period_start_ns;
  if (elapsed > QEMU.DIRTY_RATE_PERIOD_NS) {
    triggerThrottle(k, ctx, m.period_dirty_pages);
    m.dirty_pages_rate = Math.round((m.period_dirty_pages * 1e9) / elapsed);
    m.period_dirty_pages = 0;
    m.period_start_ns = k.now;
  }
}

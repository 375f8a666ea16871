// The host's speed in one run. A shared host does not run at the same speed twice: what else runs
// on it, which CPUs its threads land on, its caches and clocks differ from run to run, and the
// whole migration (the senders, the destination, a TCG guest) goes faster or slower together. A
// host profile with `run_speed_spread` s > 0 draws one factor per run, uniform in [1 − s, 1 + s],
// from the run's seed (a stream of its own, so it moves no other draw): every CPU cost of the host
// is multiplied by it and the guest's write rate divided by it. Repeats on the knife edge then go
// either way, as real repeats do. s is fitted on the spread of real repeats (calibration.ts).

import { prngCreate, prngFloat } from '../sim/prng';
import type { HostCosts } from './calibration';
import type { ModelConfig } from './config';

/** PRNG stream of the host-speed draw (the kernel's jitter is stream 0, the scheduler's others). */
const HOST_SPEED_STREAM = 0x5eed;

/** The fields of HostCosts that are CPU time (ns per unit of work). */
const CPU_COSTS = [
  'bitmap_scan_ns_per_word', 'zero_page_ns', 'normal_page_ns', 'send_ns_per_kib', 'sync_ns_per_gib', 'sync_ns_fixed',
  'setup_ns_per_gib', 'device_state_ns', 'load_normal_page_ns', 'load_zero_page_ns', 'load_first_touch_ns',
  'load_zero_first_touch_ns', 'main_loop_bql_ns', 'query_migrate_bql_ns', 'vcpu_kick_ns', 'multifd_queue_ns_per_page',
  'zero_check_normal_ns', 'xbzrle_encode_ns',
] as const satisfies readonly (keyof HostCosts)[];

/** The factor this run's CPU costs are multiplied by (1 when the profile has no spread). */
export function hostSpeedFactor(cfg: ModelConfig): number {
  const s = cfg.host.run_speed_spread;
  if (!(s > 0)) return 1;
  return 1 + s * (2 * prngFloat(prngCreate(cfg.seed, HOST_SPEED_STREAM)) - 1);
}

/** `cfg` as this run's host runs it: the same object when the host has no spread. */
export function forThisRun(cfg: ModelConfig): ModelConfig {
  const f = hostSpeedFactor(cfg);
  if (f === 1) return cfg;
  const host: HostCosts = { ...cfg.host };
  for (const key of CPU_COSTS) host[key] = Math.round(host[key] * f);
  return { ...cfg, host, workload: { ...cfg.workload, dirty_pages_per_s: cfg.workload.dirty_pages_per_s / f } };
}

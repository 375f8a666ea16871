// The model's parameters of one run: every default filled in, every unit converted to ns, bytes
// and pages. engine/scenario/resolve.ts makes one from a scenario file.

import type { BugVariant, FaultKind, HostProfileName, WorkloadKind } from './catalog';
import type { HostCosts } from './calibration';
import type { DesignProfile } from './profiles';

export type Distribution = 'uniform' | 'hot-cold' | 'sequential';

export interface WorkloadParams {
  kind: WorkloadKind;
  nonzero_pages: number;
  ws_offset_page: number;
  ws_pages: number;
  dirty_pages_per_s: number;
  distribution: Distribution;
  hot_pages: number;
  hot_weight: number;
  run_pages: number;
  start_ns: number;
  /** -1: never stops */
  stop_ns: number;
  bql_exits_per_s: number;
  exit_handle_ns: number;
  /** fraction of a rewritten page that changed (what XBZRLE has to encode) */
  xbzrle_delta: number;
  /** what the guest does once the workload has stopped (an idle OS still writes a little), or null: nothing */
  after_stop: AfterStop | null;
}

/** The guest after its workload stopped: uniform single-page writes over a small region, rarer exits. */
export interface AfterStop {
  dirty_pages_per_s: number;
  ws_offset_page: number;
  ws_pages: number;
  bql_exits_per_s: number;
}

export interface FaultSpec {
  kind: FaultKind;
  /** ns after migration start */
  at_ns: number;
  factor: number;
}

export interface AutoConverge {
  enabled: boolean;
  initial_pct: number;
  increment_pct: number;
  max_pct: number;
  trigger_threshold_pct: number;
}

export interface ModelConfig {
  name: string;
  description: string;
  seed: number;
  ram_bytes: number;
  pages: number;
  vcpus: number;
  workload: WorkloadParams;
  profile: DesignProfile;
  host_profile: HostProfileName;
  host: HostCosts;
  max_bandwidth_bytes_per_s: number;
  downtime_limit_ms: number;
  start_delay_ns: number;
  link_bytes_per_s: number;
  link_latency_ns: number;
  tcp_timeout_ns: number;
  max_time_ns: number;
  max_iterations: number;
  watchdog_ns: number;
  auto_converge: AutoConverge;
  xbzrle: boolean;
  xbzrle_cache_pages: number;
  /** sender threads (multifd channels, or the 2012 proposal's streams); 1 for single-stream designs */
  channels: number;
  bugs: ReadonlySet<BugVariant>;
  faults: FaultSpec[];
}


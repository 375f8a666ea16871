// Resolving a validated scenario into the model's configuration: defaults filled in (from the
// workload kind's preset, the design profile and the host profile), units converted to ns, bytes
// and pages.

import { MEMORY_RULE, parseSize, type SizeRule } from './units';
import type { BugVariant, DesignProfileName, FaultKind, HostProfileName, WorkloadKind } from '../model/catalog';
import { HOST_COSTS, QEMU, type HostCosts } from '../model/calibration';
import { DESIGN_PROFILES } from '../model/profiles';
import type { Distribution, ModelConfig, WorkloadParams } from '../model/config';

/** A scenario after validation (see schema.ts); sizes may still be strings. */
export interface ScenarioInput {
  name?: string;
  description?: string;
  seed?: number;
  guest: {
    memory: number | string;
    vcpus: number;
    workload: { kind: WorkloadKind } & Record<string, unknown>;
  };
  migration?: Record<string, unknown>;
  faults?: unknown[];
  host?: Record<string, unknown>;
  network?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}

const PAGE = QEMU.PAGE_SIZE;
const MiB = 1024 ** 2;

interface Preset {
  nonzero_fraction: number;
  ws_fraction: number;
  ws_offset_fraction: number;
  dirty_pages_per_s_per_vcpu: number;
  distribution: Distribution;
  hot_fraction: number;
  hot_weight: number;
  run_pages: number;
  bql_exits_per_s: number;
  exit_handle_us: number;
}

/**
 * Defaults of each workload kind, as fractions of guest RAM and rates per vCPU. They are
 * illustrative shapes, not measurements, except where a built-in scenario overrides them with
 * calibrated values (engine/scenario/builtin).
 */
const PRESETS: Record<WorkloadKind, Preset> = {
  // An idle Linux guest: a few percent of RAM in use, background writes in a small area.
  idle: { nonzero_fraction: 0.03, ws_fraction: 0.0005, ws_offset_fraction: 0, dirty_pages_per_s_per_vcpu: 20, distribution: 'uniform', hot_fraction: 1, hot_weight: 1, run_pages: 1, bql_exits_per_s: 20, exit_handle_us: 10 },
  // SpecJBB: a large, filled Java heap; allocation sweeps a young generation and the old
  // generation takes promotions: a hot working set written at a high rate in multi-page bursts.
  specjbb: { nonzero_fraction: 0.85, ws_fraction: 0.08, ws_offset_fraction: 0.1, dirty_pages_per_s_per_vcpu: 6_000, distribution: 'uniform', hot_fraction: 1, hot_weight: 1, run_pages: 8, bql_exits_per_s: 100, exit_handle_us: 10 },
  // memcached: a big cache, writes scattered with a hot subset of keys.
  memcached: { nonzero_fraction: 0.6, ws_fraction: 0.5, ws_offset_fraction: 0.05, dirty_pages_per_s_per_vcpu: 3_000, distribution: 'hot-cold', hot_fraction: 0.1, hot_weight: 0.9, run_pages: 1, bql_exits_per_s: 500, exit_handle_us: 8 },
  // STREAM: sequential sweeps over arrays at memory bandwidth.
  stream: { nonzero_fraction: 0.3, ws_fraction: 0.25, ws_offset_fraction: 0.05, dirty_pages_per_s_per_vcpu: 100_000, distribution: 'sequential', hot_fraction: 1, hot_weight: 1, run_pages: 64, bql_exits_per_s: 20, exit_handle_us: 10 },
  // migration-test: filled in by migrationTestDefaults (absolute addresses).
  'migration-test': { nonzero_fraction: 0, ws_fraction: 0, ws_offset_fraction: 0, dirty_pages_per_s_per_vcpu: 0, distribution: 'sequential', hot_fraction: 1, hot_weight: 1, run_pages: 1, bql_exits_per_s: 300, exit_handle_us: 5 },
  custom: { nonzero_fraction: 0, ws_fraction: 0, ws_offset_fraction: 0, dirty_pages_per_s_per_vcpu: 0, distribution: 'uniform', hot_fraction: 1, hot_weight: 1, run_pages: 1, bql_exits_per_s: 0, exit_handle_us: 10 },
};

function bytes(v: unknown, dflt: number, rule?: SizeRule): number {
  if (v === undefined) return dflt;
  const b = parseSize(v, rule);
  if (typeof b === 'string') throw new Error(`unvalidated size: ${b}`);
  return b;
}

function n(v: unknown, dflt: number): number {
  return typeof v === 'number' ? v : dflt;
}

function pagesOf(b: number): number {
  return Math.floor(b / PAGE);
}

function resolveWorkload(w: ScenarioInput['guest']['workload'], pages: number, vcpus: number): WorkloadParams {
  const p = PRESETS[w.kind];
  const wp: WorkloadParams = {
    xbzrle_delta: 0.1,
    after_stop: null,
    kind: w.kind,
    nonzero_pages: Math.round(pages * p.nonzero_fraction),
    ws_offset_page: Math.round(pages * p.ws_offset_fraction),
    ws_pages: Math.round(pages * p.ws_fraction),
    dirty_pages_per_s: p.dirty_pages_per_s_per_vcpu * vcpus,
    distribution: p.distribution,
    hot_pages: 0,
    hot_weight: p.hot_weight,
    run_pages: p.run_pages,
    start_ns: 0,
    stop_ns: -1,
    bql_exits_per_s: p.bql_exits_per_s,
    exit_handle_ns: p.exit_handle_us * 1000,
  };
  if (w.kind === 'migration-test') {
    // a-b-bootblock.S: increments one byte in every 4 KiB page from 1 MiB to 100 MiB, forever.
    wp.ws_offset_page = MiB / PAGE;
    wp.ws_pages = Math.min(pages - wp.ws_offset_page, (99 * MiB) / PAGE);
    wp.nonzero_pages = wp.ws_offset_page + wp.ws_pages;
    // Measured under TCG on this machine (calibration.ts, TCG_LOOPBACK): 300-440 passes over the
    // 25,344 pages per second while the migration runs; 300 taken (any rate above ≈ 20 passes a
    // second dirties all of it between two syncs here).
    wp.dirty_pages_per_s = 7_600_000;
  }
  if (w['nonzero-memory'] !== undefined) wp.nonzero_pages = pagesOf(bytes(w['nonzero-memory'], 0));
  if (w['working-set'] !== undefined) wp.ws_pages = pagesOf(bytes(w['working-set'], 0));
  if (w['working-set-offset'] !== undefined) wp.ws_offset_page = pagesOf(bytes(w['working-set-offset'], 0));
  if (w['dirty-rate'] !== undefined) wp.dirty_pages_per_s = n(w['dirty-rate'], 0);
  if (w.distribution !== undefined) wp.distribution = w.distribution as Distribution;
  const hotFraction = n(w['hot-fraction'], p.hot_fraction);
  if (w['hot-weight'] !== undefined) wp.hot_weight = n(w['hot-weight'], 1);
  if (w['run-pages'] !== undefined) wp.run_pages = n(w['run-pages'], 1);
  if (w.start !== undefined) wp.start_ns = Math.round(n(w.start, 0) * 1e9);
  if (w.stop !== undefined) wp.stop_ns = Math.round(n(w.stop, 0) * 1e9);
  if (w['bql-exit-rate'] !== undefined) wp.bql_exits_per_s = n(w['bql-exit-rate'], 0);
  if (w['exit-handling-us'] !== undefined) wp.exit_handle_ns = Math.round(n(w['exit-handling-us'], 0) * 1000);
  if (w['xbzrle-delta'] !== undefined) wp.xbzrle_delta = n(w['xbzrle-delta'], 0.1);
  const after = w['after-stop'] as Record<string, unknown> | undefined;
  if (after !== undefined) {
    const off = Math.min(pages, pagesOf(bytes(after['working-set-offset'], 0)));
    wp.after_stop = {
      dirty_pages_per_s: n(after['dirty-rate'], 0),
      ws_offset_page: off,
      ws_pages: Math.min(pages - off, pagesOf(bytes(after['working-set'], 0))),
      bql_exits_per_s: n(after['bql-exit-rate'], wp.bql_exits_per_s),
    };
  }
  wp.nonzero_pages = Math.min(wp.nonzero_pages, pages);
  wp.ws_offset_page = Math.min(wp.ws_offset_page, pages);
  wp.ws_pages = Math.min(wp.ws_pages, pages - wp.ws_offset_page);
  wp.hot_pages = Math.max(1, Math.round(wp.ws_pages * hotFraction));
  wp.run_pages = Math.max(1, Math.min(wp.run_pages, Math.max(1, wp.ws_pages)));
  return wp;
}

export class ConfigError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Resolves a validated scenario; `seed` overrides the scenario's own. */
export function resolveConfig(sc: ScenarioInput, seed?: number): ModelConfig {
  const ram = bytes(sc.guest.memory, 0, MEMORY_RULE);
  const pages = pagesOf(ram);
  if (pages < 1) throw new ConfigError('guest.memory', `${ram} bytes is less than one 4 KiB page`);
  const vcpus = sc.guest.vcpus;
  const workload = resolveWorkload(sc.guest.workload, pages, vcpus);
  if (workload.stop_ns >= 0 && workload.stop_ns < workload.start_ns) {
    throw new ConfigError('guest.workload.stop', `stops (${workload.stop_ns / 1e9} s) before it starts (${workload.start_ns / 1e9} s)`);
  }
  const m = sc.migration ?? {};
  const caps = (m.capabilities ?? {}) as Record<string, boolean>;
  const h = sc.host ?? {};
  const net = sc.network ?? {};
  const lim = sc.limits ?? {};
  const profileName = (m.profile as DesignProfileName | undefined) ?? 'qemu-1.4';
  const hostName = (h.profile as HostProfileName | undefined) ?? 'modern-x86';
  const host: HostCosts = { ...HOST_COSTS[hostName] };
  if (h['zero-page-ns'] !== undefined) host.zero_page_ns = n(h['zero-page-ns'], host.zero_page_ns);
  if (h['normal-page-ns'] !== undefined) host.normal_page_ns = n(h['normal-page-ns'], host.normal_page_ns);
  if (h['send-ns-per-kib'] !== undefined) host.send_ns_per_kib = n(h['send-ns-per-kib'], host.send_ns_per_kib);
  if (h['sync-ns-per-gib'] !== undefined) host.sync_ns_per_gib = n(h['sync-ns-per-gib'], host.sync_ns_per_gib);
  if (h.cpus !== undefined) host.cpus = n(h.cpus, host.cpus);
  if (h['bitmap-scan-ns-per-word'] !== undefined) host.bitmap_scan_ns_per_word = n(h['bitmap-scan-ns-per-word'], host.bitmap_scan_ns_per_word);
  const gbps = n(net['bandwidth-gbps'], 10);
  const cfg: ModelConfig = {
    name: sc.name ?? 'scenario',
    description: sc.description ?? '',
    seed: seed ?? sc.seed ?? 1,
    ram_bytes: pages * PAGE,
    pages,
    vcpus,
    workload,
    profile: DESIGN_PROFILES[profileName],
    host_profile: hostName,
    host,
    max_bandwidth_bytes_per_s: bytes(m['max-bandwidth'], 128 * MiB),
    downtime_limit_ms: n(m['downtime-limit'], 300),
    start_delay_ns: Math.round(n(m['start-delay'], 0) * 1e9),
    link_bytes_per_s: (gbps * 1e9) / 8,
    link_latency_ns: Math.round(n(net['latency-us'], 50) * 1000),
    tcp_timeout_ns: Math.round(n(net['tcp-timeout'], 924) * 1e9),
    max_time_ns: Math.round(n(lim['max-time'], 3600) * 1e9),
    max_iterations: n(lim['max-iterations'], 0),
    watchdog_ns: Math.round(n(lim.watchdog, 120) * 1e9),
    auto_converge: {
      enabled: caps['auto-converge'] === true,
      initial_pct: n(m['cpu-throttle-initial'], 20),
      increment_pct: n(m['cpu-throttle-increment'], 10),
      max_pct: n(m['max-cpu-throttle'], 99),
      trigger_threshold_pct: n(m['throttle-trigger-threshold'], 50),
    },
    xbzrle: caps.xbzrle === true,
    xbzrle_cache_pages: Math.max(1, Math.floor(bytes(m['xbzrle-cache-size'], 64 * MiB) / PAGE)),
    channels: DESIGN_PROFILES[profileName].senders ? n(m['multifd-channels'], DESIGN_PROFILES[profileName].default_channels) : 1,
    bugs: new Set((m.bugs as BugVariant[] | undefined) ?? []),
    faults: ((sc.faults ?? []) as { kind: FaultKind; at: number; factor?: number }[]).map((f) => ({ kind: f.kind, at_ns: Math.round(f.at * 1e9), factor: f.factor ?? 0.01 })).sort((a, b) => a.at_ns - b.at_ns),
  };
  if (cfg.xbzrle && cfg.profile.senders) throw new ConfigError('migration.capabilities.xbzrle', `XBZRLE works on the main migration stream only; the ${profileName} design sends through sender threads`);
  if (cfg.bugs.has('multifd-sync-lost-post') && !cfg.profile.senders) throw new ConfigError('migration.bugs', `multifd-sync-lost-post needs a design with sender threads (modern or dedicated-bitmap-thread), not ${profileName}`);
  if (cfg.auto_converge.initial_pct > cfg.auto_converge.max_pct) throw new ConfigError('migration.cpu-throttle-initial', `${cfg.auto_converge.initial_pct} is above max-cpu-throttle ${cfg.auto_converge.max_pct}`);
  return cfg;
}


// Runs one migration to its end (completed, cancelled, hung) and summarises it: QEMU's
// query-migrate fields, the invariant (pages lost at switchover), lock statistics, the hang
// report if any. The caller may watch progress in virtual time (the engine has no wall clock).

import type { Kernel } from '../sim/kernel';
import { lockSummaries, type LockSummary } from '../sim/lockReport';
import type { HangReport } from '../sim/hangReport';
import { buildMigration, type BuildOptions } from './build';
import type { ModelConfig } from './config';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import type { SyncRecord } from './state';
import { queryMigrate, type MigrationInfo } from './stats';

export type Outcome = 'completed' | 'hang' | 'data-loss' | 'not-converged' | 'failed';

export const OUTCOME_EXIT: Record<Outcome, number> = { completed: 0, hang: 3, 'data-loss': 4, 'not-converged': 5, failed: 5 };

export interface MigrationResult {
  scenario: string;
  seed: number;
  profile: string;
  outcome: Outcome;
  reason: string;
  info: MigrationInfo;
  pages_lost: number;
  hang: HangReport | null;
  locks: LockSummary[];
  /** bytes per second over the active phase, and the best 100 ms window */
  mean_bytes_per_s: number;
  peak_bytes_per_s: number;
  /** time vCPUs spent waiting for the BQL, summed over vCPUs */
  vcpu_bql_wait_ns: number;
  /** time vCPUs spent asleep under auto-converge's throttle, summed over vCPUs */
  vcpu_throttled_ns: number;
  /** the highest cpu-throttle-percentage reached */
  throttle_max_pct: number;
  /** the source guest is running at the end (no stop request stands): true after a failed or cancelled migration */
  source_running: boolean;
  capabilities: Record<string, boolean>;
  syncs: SyncRecord[];
  /** when the VM was stopped for the final copy (-1 if it never was), and that in seconds after migration start */
  stop_copy_ns: number;
  stop_copy_s: number;
  /** bytes sent after the VM stopped (stop-and-copy round and device state) */
  downtime_bytes: number;
  virtual_ns: number;
  steps: number;
  decisions: number;
  /** what a user must not miss although the outcome reads well: downtime far over its limit, pages lost */
  warnings: string[];
}

/** Downtime this many times its limit or more is not a quiet success. */
export const DOWNTIME_OVER_LIMIT_FACTOR = 2;

export interface RunOptions extends BuildOptions {
  /** called every `progress_every_ns` of virtual time */
  onProgress?: (k: Kernel, ctx: ModelCtx) => void;
  progress_every_ns?: number;
}

export function summarise(k: Kernel, ctx: ModelCtx): MigrationResult {
  const d = md(k);
  const m = d.mig;
  const info = queryMigrate(k, ctx);
  let outcome: Outcome;
  let reason = m.end_reason;
  if (k.s.status === 'hung') {
    outcome = 'hang';
    reason = k.s.hang?.summary ?? 'hang';
  } else if (m.status === 'completed') {
    outcome = m.pages_lost > 0 ? 'data-loss' : 'completed';
  } else if (m.status === 'cancelled') {
    outcome = 'not-converged';
  } else {
    outcome = 'failed';
    if (reason === '') reason = `the run ended with the migration ${m.status}`;
  }
  const end = m.end_ns > 0 ? m.end_ns : k.now;
  const activeNs = Math.max(1, end - (m.setup_end_ns || m.start_ns));
  const locks = lockSummaries(k);
  const vcpuNames = new Set(ctx.ids.vcpu_tids.map((t) => k.s.threads[t].name));
  let vcpuWait = 0;
  for (const l of locks) if (l.name === 'bql') for (const w of l.waited_on) if (vcpuNames.has(w.waiter)) vcpuWait += w.wait_ns;
  return {
    scenario: ctx.cfg.name,
    seed: ctx.cfg.seed,
    profile: ctx.cfg.profile.name,
    outcome,
    reason,
    info,
    pages_lost: Math.max(0, m.pages_lost),
    hang: k.s.hang,
    locks,
    mean_bytes_per_s: (m.transferred_bytes * 1e9) / activeNs,
    peak_bytes_per_s: m.peak_window_bytes * 10,
    vcpu_bql_wait_ns: vcpuWait,
    vcpu_throttled_ns: d.vcpus.reduce((t, v) => t + v.throttled_ns, 0),
    throttle_max_pct: d.throttle.max_pct,
    source_running: d.vcpus.every((v) => !v.stop),
    capabilities: { xbzrle: ctx.cfg.xbzrle, 'auto-converge': ctx.cfg.auto_converge.enabled, multifd: ctx.cfg.profile.senders },
    syncs: m.history,
    stop_copy_ns: m.downtime_start_ns > 0 ? m.downtime_start_ns : -1,
    stop_copy_s: m.downtime_start_ns > 0 ? (m.downtime_start_ns - m.start_ns) / 1e9 : -1,
    downtime_bytes: m.downtime_bytes,
    virtual_ns: k.now,
    steps: k.s.steps,
    decisions: k.s.decisions,
    warnings: warningsOf(ctx, m.downtime_ns, m.first_loss_ns, m.first_loss_page, m.first_loss_vcpu, m.status),
  };
}

function warningsOf(ctx: ModelCtx, downtime_ns: number, loss_ns: number, loss_page: number, loss_vcpu: number, status: string): string[] {
  const out: string[] = [];
  const limit = ctx.cfg.downtime_limit_ms;
  const downtimeMs = downtime_ns / 1e6;
  if (status === 'completed' && downtimeMs >= DOWNTIME_OVER_LIMIT_FACTOR * limit) {
    out.push(`downtime ${Math.round(downtimeMs)} ms is ${(downtimeMs / limit).toFixed(1)}x the ${limit} ms downtime-limit`);
  }
  if (loss_ns >= 0) out.push(`CPU ${loss_vcpu} wrote page ${loss_page} at ${(loss_ns / 1e9).toFixed(3)} s, after the final sync: the destination runs from a stale copy`);
  return out;
}

/** Builds and runs the migration of `cfg` to its end. */
export function runMigration(cfg: ModelConfig, o: RunOptions = {}): { kernel: Kernel; ctx: ModelCtx; result: MigrationResult } {
  const { kernel: k, ctx } = buildMigration(cfg, o);
  const every = o.progress_every_ns ?? 10e9;
  // Stopping at `until` never changes what the run does (the kernel's contract), so progress
  // reports cost nothing in fidelity.
  let target = every;
  for (;;) {
    const r = o.onProgress ? k.run({ until_ns: target }) : k.run();
    if (r !== 'until') break;
    target += every;
    o.onProgress?.(k, ctx);
  }
  return { kernel: k, ctx, result: summarise(k, ctx) };
}

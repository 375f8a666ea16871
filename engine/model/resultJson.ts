// The --json object of `run` and `replay` (DESIGN.md's CLI contract): query-migrate's fields under
// their QEMU names at the top level, then migtrace's own: seed, profile, hang, invariants, locks,
// events, trace-sha256.

import type { MigrationResult } from './run';

export interface ResultJsonExtra {
  events?: number;
  'trace-sha256'?: string;
}

export function resultJson(r: MigrationResult, extra: ResultJsonExtra = {}): Record<string, unknown> {
  const locks: Record<string, unknown> = {};
  for (const l of r.locks) {
    locks[l.name] = {
      acquisitions: l.acquisitions,
      contentions: l.contentions,
      'wait-total-ns': l.wait_ns_total,
      'wait-max-ns': l.wait_ns_max,
      'hold-total-ns': l.hold_ns_total,
      'hold-max-ns': l.hold_ns_max,
      'owner-changes': l.owner_changes,
    };
  }
  const hang = r.hang === null ? null : {
    kind: r.hang.kind,
    'time-ns': r.hang.time_ns,
    summary: r.hang.summary,
    cycle: r.hang.cycle,
    chain: r.hang.chain.map((l) => ({ thread: r.hang!.threads.find((t) => t.tid === l.tid)?.name ?? l.tid, waits: l.waits, because: l.because, 'held-by': l.held_by.map((t) => r.hang!.threads.find((x) => x.tid === t)?.name ?? t) })),
    threads: r.hang.threads.map((t) => ({ name: t.name, state: t.state, waits: t.waits, holding: t.holding, backtrace: t.backtrace, involved: t.involved })),
  };
  const out: Record<string, unknown> = {
    ...r.info,
    seed: r.seed,
    profile: r.profile,
    scenario: r.scenario,
    outcome: r.outcome,
    reason: r.reason,
    hang,
    invariants: { 'pages-lost': r.pages_lost },
    warnings: r.warnings,
    locks,
    'mean-throughput-bps': Math.round(r.mean_bytes_per_s * 8),
    'peak-throughput-bps': Math.round(r.peak_bytes_per_s * 8),
    'vcpu-bql-wait-ns': r.vcpu_bql_wait_ns,
    'vcpu-throttled-ns': r.vcpu_throttled_ns,
    'source-running': r.source_running,
    'virtual-time-ns': r.virtual_ns,
  };
  if (extra.events !== undefined) out.events = extra.events;
  if (extra['trace-sha256'] !== undefined) out['trace-sha256'] = extra['trace-sha256'];
  return out;
}

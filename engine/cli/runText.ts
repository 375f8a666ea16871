// The text `migtrace run` prints for a finished run: QEMU's `info migrate`, the invariant, throughput,
// the BQL table and the hang report. `replay` and `demo` print the same.

import { formatHangReport, formatLockTable, formatNs } from '../sim';
import type { MigrationResult } from '../model/run';
import { formatInfoMigrate } from '../model/stats';

/** Bytes per second as bits per second, in the unit that keeps three significant digits. */
export function formatBitRate(bytes_per_s: number): string {
  const bits = bytes_per_s * 8;
  if (bits >= 1e9) return `${(bits / 1e9).toFixed(2)} Gb/s`;
  if (bits >= 1e6) return `${(bits / 1e6).toFixed(2)} Mb/s`;
  return `${(bits / 1e3).toFixed(2)} kb/s`;
}

export function formatRunText(r: MigrationResult): string {
  const lines = [`${r.scenario} (seed ${r.seed}, profile ${r.profile})`, formatInfoMigrate(r.info, r.capabilities)];
  lines.push(`pages lost at switchover: ${r.pages_lost}`);
  lines.push(`mean throughput: ${formatBitRate(r.mean_bytes_per_s)}; peak (100 ms window): ${formatBitRate(r.peak_bytes_per_s)}`);
  lines.push(`vCPU time waiting for the BQL: ${formatNs(r.vcpu_bql_wait_ns)} (all vCPUs)`);
  if (r.capabilities['auto-converge']) lines.push(`vCPU time throttled: ${formatNs(r.vcpu_throttled_ns)} (all vCPUs); highest cpu-throttle-percentage ${r.throttle_max_pct}`);
  lines.push(`outcome: ${r.outcome}${r.reason && r.reason !== r.outcome ? ` (${r.reason})` : ''}`);
  for (const w of r.warnings) lines.push(`WARNING: ${w}`);
  const bql = r.locks.filter((l) => l.name === 'bql');
  if (bql.length > 0) lines.push('', formatLockTable(bql));
  if (r.hang !== null) lines.push('', formatHangReport(r.hang));
  return lines.join('\n');
}

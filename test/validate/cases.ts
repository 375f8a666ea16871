// The model held against published figures (DESIGN.md: `npm run validate`). Each row is one
// figure: the model's value, the reference, their ratio, and the tolerance the issue allows. The
// references are quoted from ../shared/research, never adjusted to the model.

import { loadBuiltin } from '../../engine/scenario/load';
import { runMigration, type MigrationResult } from '../../engine/model/run';
import { formatProvenance, provenanceOf } from '../../engine/model/provenance';

export interface ValidationRow {
  case: string;
  metric: string;
  model: number;
  ref: number;
  /** allowed |model/ref − 1| */
  tolerance: number;
  note?: string;
  /** a documented miss: the model is known to fall outside the tolerance here, and why */
  known_miss?: string;
  /** fitted / borrowed / predicted, with the constants (default: engine/model/provenance.ts by case and metric) */
  basis?: string;
  /** a verdict the ratio cannot give (a convergence fraction against real repeats, realTable.ts) */
  verdict?: boolean;
  /** shown for what it says, never counted as a miss */
  informative?: boolean;
}

/** A row that counts against the model: out of tolerance, not informative, without a documented reason. */
export function rowCounts(r: ValidationRow): boolean {
  return !rowOk(r) && !r.known_miss && !r.informative;
}

export function rowOk(r: ValidationRow): boolean {
  if (r.verdict !== undefined) return r.verdict;
  if (!Number.isFinite(r.model)) return false;
  if (r.ref === 0) return Math.abs(r.model) <= r.tolerance;
  return Math.abs(r.model / r.ref - 1) <= r.tolerance + 1e-12;
}

export function formatRow(r: ValidationRow): string {
  const ratio = r.ref === 0 ? (r.model === 0 ? '1.000' : 'inf') : (r.model / r.ref).toFixed(3);
  const tolerance = r.verdict !== undefined ? 'rule=unanimous-majority,split-in-(0,1)' : `tolerance=±${Math.round(r.tolerance * 100)}%`;
  const verdict = rowOk(r) ? 'ok' : r.informative ? 'OUT (informative)' : r.known_miss ? `OUT, known: ${r.known_miss}` : 'OUT';
  const basis = r.basis ?? formatProvenance(provenanceOf(r.case, r.metric));
  return `VALIDATE ${r.case} ${r.metric} model=${+r.model.toPrecision(6)} ref=${+r.ref.toPrecision(6)} ratio=${ratio} ${tolerance} ${verdict} basis=${basis}${r.note ? ` (${r.note})` : ''}`;
}

function run(name: string): MigrationResult {
  return runMigration(loadBuiltin(name).config).result;
}

const KB = 1024;

/** research/seed-thread-2012-migration-thread-rfc.txt */
export function seedCases(): ValidationRow[] {
  const rows: ValidationRow[] = [];
  const idle = run('seed-idle-128g');
  rows.push({ case: 'seed-idle-128g', metric: 'transferred-kbytes', model: idle.info.ram!.transferred / KB, ref: 3_811_345, tolerance: 0.15 });
  rows.push({ case: 'seed-idle-128g', metric: 'total-time-ms', model: idle.info['total-time']!, ref: 199_743, tolerance: 0.15 });
  rows.push({ case: 'seed-idle-128g', metric: 'completed', model: idle.outcome === 'completed' ? 1 : 0, ref: 1, tolerance: 0 });

  const jbb = run('seed-specjbb-128g');
  const sc = loadBuiltin('seed-specjbb-128g').config;
  const stopAt = sc.start_delay_ns + sc.workload.stop_ns;
  const stopCopyAt = jbb.stop_copy_ns < 0 ? Infinity : jbb.stop_copy_ns;
  // "1.5-3.0Gb/sec": a range; the reference is its middle and the tolerance its half-width.
  rows.push({ case: 'seed-specjbb-128g', metric: 'mean-throughput-gbps', model: (jbb.mean_bytes_per_s * 8) / 1e9, ref: 2.25, tolerance: 1 / 3, note: 'reported as 1.5 to 3 Gb/s on the 10 Gb/s link' });
  rows.push({ case: 'seed-specjbb-128g', metric: 'converged-while-workload-ran', model: stopCopyAt < stopAt ? 1 : 0, ref: 0, tolerance: 0, note: 'the report: no convergence while SpecJBB was active (1 = converged, 0 = not); holds because the fitted workload stops at 500 s' });
  // The same guest with SpecJBB running to the end: does the migration converge while it runs?
  const endless = runMigration(loadBuiltin('seed-specjbb-128g', ['guest.workload.stop=1000000']).config).result;
  rows.push({ case: 'seed-specjbb-128g', metric: 'converged-without-the-stop', model: endless.stop_copy_ns >= 0 ? 1 : 0, ref: 0, tolerance: 0, note: `SpecJBB never stops (--set guest.workload.stop=1000000): ${endless.outcome} after ${(endless.virtual_ns / 1e9).toFixed(0)} s, ${endless.syncs.length} syncs`,
    known_miss: 'the fitted dirty rate (60,000 page writes/s, 234 MB/s over a 10 GiB hot set) is just below the fitted sender (≈ 247 MB/s), so each round leaves a little less and the model converges while SpecJBB still runs; the report\'s "no convergence while it ran" is reproduced only by the fitted stop at 500 s' });
  rows.push({ case: 'seed-specjbb-128g', metric: 'transferred-kbytes', model: jbb.info.ram!.transferred / KB, ref: 129_937_687, tolerance: 0.15 });
  rows.push({ case: 'seed-specjbb-128g', metric: 'total-time-ms', model: jbb.info['total-time']!, ref: 543_228, tolerance: 0.15 });
  rows.push({ case: 'seed-specjbb-128g', metric: 'completed', model: jbb.outcome === 'completed' ? 1 : 0, ref: 1, tolerance: 0 });
  return rows;
}

/** research/qemu-migration-facts.md §6: the auto-converge commit 7ca1dfad952d. */
export function autoConvergeCases(): ValidationRow[] {
  const rows: ValidationRow[] = [];
  const off = run('chegu-256g');
  rows.push({ case: 'chegu-256g', metric: 'still-active-at-1487s', model: off.outcome === 'not-converged' ? 1 : 0, ref: 1, tolerance: 0, note: 'without auto-converge: still active after 1,487 s' });
  rows.push({ case: 'chegu-256g', metric: 'transferred-gb-at-1487s', model: off.info.ram!.transferred / 1e9, ref: 383, tolerance: 0.25 });
  const on = run('chegu-256g-autoconverge');
  rows.push({ case: 'chegu-256g-autoconverge', metric: 'completed', model: on.outcome === 'completed' ? 1 : 0, ref: 1, tolerance: 0 });
  rows.push({ case: 'chegu-256g-autoconverge', metric: 'total-time-s', model: (on.info['total-time'] ?? 0) / 1000, ref: 241, tolerance: 0.25 });
  rows.push({ case: 'chegu-256g-autoconverge', metric: 'transferred-gb', model: on.info.ram!.transferred / 1e9, ref: 28, tolerance: 0.25 });
  rows.push({
    case: 'chegu-256g-autoconverge',
    metric: 'downtime-ms',
    model: on.info.downtime ?? NaN,
    ref: 6373,
    tolerance: 0.25,
    known_miss: 'the model stops and copies once what is left fits bandwidth × 4 s, so its downtime stays near 4 s; the reported 6.4 s needs about 1.6 GB more in the last round or stop costs the model lacks (bdrv_flush_all, the 2013 device state)',
  });
  rows.push({ case: 'chegu-256g-autoconverge', metric: 'duplicate-pages-millions', model: on.info.ram!.duplicate / 1e6, ref: 65, tolerance: 0.25, note: '65 M of its 67 M pages were zero' });
  return rows;
}

/** docs/devel/migration/qatzip-compression.rst: multifd, 8 channels, 10 Gbps, no compression. */
export function multifdCases(): ValidationRow[] {
  const rows: ValidationRow[] = [];
  const r = run('multifd-8ch-10g');
  rows.push({ case: 'multifd-8ch-10g', metric: 'total-time-s', model: (r.info['total-time'] ?? 0) / 1000, ref: 46.1, tolerance: 0.15 });
  rows.push({ case: 'multifd-8ch-10g', metric: 'throughput-mbps', model: r.info.ram!.mbps, ref: 10848, tolerance: 0.15 });
  // Throughput rises with channels until the link saturates.
  const byChannels = [1, 2, 4, 8].map((ch) => runMigration(loadBuiltin('multifd-8ch-10g', [`migration.multifd-channels=${ch}`]).config).result.mean_bytes_per_s * 8 / 1e9);
  byChannels.forEach((g, i) => rows.push({ case: 'multifd-8ch-10g', metric: `mean-gbps-${[1, 2, 4, 8][i]}-channels`, model: g, ref: 10, tolerance: 1, note: 'informative: the link is 10 Gb/s' }));
  let rising = 1;
  for (let i = 1; i < byChannels.length; i++) {
    const grows = byChannels[i] >= byChannels[i - 1] * 0.99;
    const saturated = byChannels[i - 1] >= 9.5;
    if (!grows && !saturated) rising = 0;
  }
  if (byChannels[byChannels.length - 1] < 9.5 || byChannels[0] >= byChannels[byChannels.length - 1] * 0.99) rising = 0;
  rows.push({ case: 'multifd-8ch-10g', metric: 'throughput-rises-with-channels-until-saturation', model: rising, ref: 1, tolerance: 0 });
  return rows;
}

export function allCases(): ValidationRow[] {
  return [...seedCases(), ...autoConvergeCases(), ...multifdCases()];
}

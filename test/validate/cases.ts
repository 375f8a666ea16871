// The model held against published figures (DESIGN.md: `npm run validate`). Each row is one
// figure: the model's value, the reference, their ratio, and the tolerance the issue allows. The
// references are quoted from ../shared/research, never adjusted to the model.

import { loadBuiltin } from '../../engine/scenario/load';
import { runMigration, type MigrationResult } from '../../engine/model/run';

export interface ValidationRow {
  case: string;
  metric: string;
  model: number;
  ref: number;
  /** allowed |model/ref − 1| */
  tolerance: number;
  note?: string;
}

export function rowOk(r: ValidationRow): boolean {
  if (!Number.isFinite(r.model)) return false;
  if (r.ref === 0) return Math.abs(r.model) <= r.tolerance;
  return Math.abs(r.model / r.ref - 1) <= r.tolerance + 1e-12;
}

export function formatRow(r: ValidationRow): string {
  const ratio = r.ref === 0 ? (r.model === 0 ? '1.000' : 'inf') : (r.model / r.ref).toFixed(3);
  return `VALIDATE ${r.case} ${r.metric} model=${+r.model.toPrecision(6)} ref=${r.ref} ratio=${ratio} tolerance=±${Math.round(r.tolerance * 100)}% ${rowOk(r) ? 'ok' : 'OUT'}${r.note ? ` (${r.note})` : ''}`;
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
  rows.push({ case: 'seed-specjbb-128g', metric: 'converged-while-workload-ran', model: stopCopyAt < stopAt ? 1 : 0, ref: 0, tolerance: 0, note: 'the report: no convergence while SpecJBB was active (1 = converged, 0 = not)' });
  rows.push({ case: 'seed-specjbb-128g', metric: 'transferred-kbytes', model: jbb.info.ram!.transferred / KB, ref: 129_937_687, tolerance: 0.15 });
  rows.push({ case: 'seed-specjbb-128g', metric: 'total-time-ms', model: jbb.info['total-time']!, ref: 543_228, tolerance: 0.15 });
  rows.push({ case: 'seed-specjbb-128g', metric: 'completed', model: jbb.outcome === 'completed' ? 1 : 0, ref: 1, tolerance: 0 });
  return rows;
}

export function allCases(): ValidationRow[] {
  return [...seedCases()];
}

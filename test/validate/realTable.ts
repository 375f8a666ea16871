// The model against the cached real runs (test/fixtures/real-validation): for each setting, the
// model on the tcg-loopback host profile over many seeds against the real repeats. Converged or
// not: where every real repeat agrees, the model's majority must agree; where real repeats split,
// the model must give a fraction strictly between 0 and 1. Where both converged: total time,
// transferred bytes and dirty-sync-count of the medians within ±25%; downtime informative.

import { loadBuiltin } from '../../engine/scenario/load';
import { median, sweepSeeds, wilsonInterval, type SeedSweep } from '../../engine/model/seedSweep';
import type { ValidationRow } from './cases';
import type { RealFixture } from './realFixture';
import { migrationSpanS } from './realCollect';
import type { RealSetting } from './realSet';

export const TOLERANCE = 0.25;

export interface RealSettingResult {
  setting: RealSetting;
  fixture: RealFixture;
  sweep: SeedSweep;
  rows: ValidationRow[];
}

const basisOf = (s: RealSetting) =>
  s.half === 'fit'
    ? 'fitted (tcg-loopback constants fitted on the fit half of the real set, test/validate/realSet.ts; engine/model/calibration.ts names them)'
    : 'predicted (held out: nothing was fitted on it)';

const pct = (x: number) => `${Math.round(x * 100)}%`;
const list = (xs: number[]) => xs.map((x) => +x.toPrecision(4)).join(', ');

/** Whether the model's fraction says what the real repeats say (see the head of this file). */
export function convergenceRight(realConverged: number, realRuns: number, modelFraction: number): boolean {
  if (realConverged === realRuns) return modelFraction >= 0.5;
  if (realConverged === 0) return modelFraction < 0.5;
  return modelFraction > 0 && modelFraction < 1;
}

/** The least share of the host's CPUs the model is given for a run under load. */
const MIN_CPUS_LEFT = 0.5;

/**
 * The host's CPUs the real QEMUs had, measured: the host profile's count less what other
 * processes took while the runs went (the median over the setting's repeats of foreign-cpu-s
 * over the migration's span, realFixture.ts), for fixtures collected under load; null when the
 * host was quiet (the profile's count stands). A measured input of the runs, not a fit.
 */
export function cpusLeft(hostCpus: number, f: RealFixture): number | null {
  if (!f['under-load'] || !(hostCpus > 0)) return null;
  const shares = f.runs.map((r) => {
    const span = migrationSpanS(r);
    return span > 0 ? r['foreign-cpu-s'] / span : 0;
  });
  const taken = median(shares) ?? 0;
  return Math.round(Math.min(hostCpus, Math.max(MIN_CPUS_LEFT, hostCpus - taken)) * 100) / 100;
}

/**
 * `loadAware`: the model gets the CPUs the other processes left (cpusLeft); `hostCpus`: it gets this
 * many host CPUs for every setting (an experiment: `npm run validate -- --host-cpus X`).
 */
export function realSettingRows(s: RealSetting, f: RealFixture, seeds: number[], loadAware = false, hostCpus?: number): RealSettingResult {
  const given = loadBuiltin('qtest-bootblock', s.sets).config;
  const left = hostCpus !== undefined ? hostCpus : loadAware ? cpusLeft(given.host.cpus, f) : null;
  const cfg = left === null ? given : { ...given, host: { ...given.host, cpus: left } };
  const sweep = sweepSeeds(cfg, seeds);
  const name = `real/${s.label}`;
  const basis = basisOf(s);
  const runs = f.runs;
  const done = runs.filter((r) => r.info.status === 'completed');
  const k = done.length;
  const [lo, hi] = sweep.interval;
  const realWi = wilsonInterval(k, runs.length);
  const rows: ValidationRow[] = [];
  const known = s.known_miss ?? {};
  rows.push({
    case: name,
    metric: 'converged',
    model: sweep.fraction,
    ref: k / runs.length,
    tolerance: 0,
    verdict: convergenceRight(k, runs.length, sweep.fraction),
    basis,
    known_miss: known.converged,
    note: `real ${k} of ${runs.length} converged (interval ${pct(realWi[0])}-${pct(realWi[1])}); model ${sweep.converged} of ${sweep.runs.length} seeds (95% interval ${pct(lo)}-${pct(hi)})${f['under-load'] ? `; real runs collected under load${left === null ? '' : `: the model given ${left} of the ${given.host.cpus} host CPUs${hostCpus !== undefined ? ' (--host-cpus)' : ', what the other processes left (measured)'}`}` : ''}`,
  });
  const real = (get: (i: RealFixture['runs'][number]['info']) => number | undefined, from = done) => from.map((r) => get(r.info)).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  const modelOf = (get: (r: SeedSweep['runs'][number]) => number | null, conv: boolean) =>
    sweep.runs.filter((r) => (r.outcome === 'completed' || r.outcome === 'data-loss') === conv).map(get).filter((x): x is number => x !== null);
  const row = (metric: string, m: number[], r: number[], tolerance: number, extra = '') => {
    const mm = median(m);
    const rm = median(r);
    if (mm === null || rm === null) return;
    rows.push({ case: name, metric, model: mm, ref: rm, tolerance, basis, informative: extra !== '', known_miss: known[metric], note: `${extra}real runs ${list(r)}; model: median of ${m.length} seeds` });
  };
  if (k > 0 && sweep.converged > 0) {
    row('total-time-ms', modelOf((r) => r['total-time-ms'], true), real((i) => i['total-time']), TOLERANCE);
    row('transferred-mb', modelOf((r) => r['transferred-bytes'] / 1e6, true), real((i) => (i.ram?.transferred ?? NaN) / 1e6), TOLERANCE);
    row('iterations', modelOf((r) => r['dirty-sync-count'], true), real((i) => i.ram?.['dirty-sync-count']), TOLERANCE);
    row('downtime-ms', modelOf((r) => r['downtime-ms'], true), real((i) => i.downtime), 1, 'informative; ');
  } else if (k < runs.length && sweep.converged < sweep.runs.length) {
    // Neither converged: what was sent until the cancel says whether the live throughput is right.
    // a cancelled migration's final query-migrate has no RAM figures: its last one while active has
    const cancelled = runs.filter((r) => r.info.status !== 'completed').map((r) => ({ ...r, info: r['last-active'] ?? r.info }));
    row('transferred-mb-until-cancel', modelOf((r) => r['transferred-bytes'] / 1e6, false), real((i) => (i.ram?.transferred ?? NaN) / 1e6, cancelled), 1, 'informative; ');
    row('iterations-until-cancel', modelOf((r) => r['dirty-sync-count'], false), real((i) => i.ram?.['dirty-sync-count'], cancelled), 1, 'informative; ');
  }
  return { setting: s, fixture: f, sweep, rows };
}

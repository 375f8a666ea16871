// One scenario over many seeds: how often it converges, with a confidence interval, and the
// figures of the runs that did. A migration on the knife edge (bandwidth × downtime-limit close to
// what the guest keeps dirty) converges on some schedules and timings and not on others, as real
// repeats do; a single seed's yes or no hides that, a fraction over seeds shows it.

import type { ModelConfig } from './config';
import { runMigration, type MigrationResult, type Outcome } from './run';

export interface SeedRun {
  seed: number;
  outcome: Outcome;
  'total-time-ms': number | null;
  'downtime-ms': number | null;
  'transferred-bytes': number;
  'dirty-sync-count': number;
}

export interface SeedSweep {
  scenario: string;
  seeds: number[];
  runs: SeedRun[];
  /** runs that completed (with or without pages lost: the migration converged) */
  converged: number;
  fraction: number;
  /** 95% Wilson score interval of the fraction */
  interval: [number, number];
  outcomes: Partial<Record<Outcome, number>>;
  /** medians over the converged runs (null if none converged) */
  median: { 'total-time-ms': number | null; 'downtime-ms': number | null; 'transferred-bytes': number | null; 'dirty-sync-count': number | null };
}

/** z for a two-sided 95% interval */
const Z95 = 1.959963984540054;

/**
 * Wilson's score interval for `k` successes in `n` trials: unlike the normal approximation it
 * stays inside [0, 1] and is honest for small n and for fractions near 0 or 1 (0 of 10 is not "0").
 */
export function wilsonInterval(k: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function converged(o: Outcome): boolean {
  return o === 'completed' || o === 'data-loss';
}

function seedRun(seed: number, r: MigrationResult): SeedRun {
  return {
    seed,
    outcome: r.outcome,
    'total-time-ms': r.info['total-time'] ?? null,
    'downtime-ms': r.info.downtime ?? null,
    'transferred-bytes': r.info.ram?.transferred ?? 0,
    'dirty-sync-count': r.info.ram?.['dirty-sync-count'] ?? 0,
  };
}

/** Summarises runs of one scenario (already run, one per seed). */
export function summariseSeeds(scenario: string, runs: SeedRun[]): SeedSweep {
  const ok = runs.filter((r) => converged(r.outcome));
  const outcomes: Partial<Record<Outcome, number>> = {};
  for (const r of runs) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  const num = (k: 'total-time-ms' | 'downtime-ms' | 'transferred-bytes' | 'dirty-sync-count') => median(ok.map((r) => r[k]).filter((x): x is number => x !== null));
  return {
    scenario,
    seeds: runs.map((r) => r.seed),
    runs,
    converged: ok.length,
    fraction: runs.length > 0 ? ok.length / runs.length : 0,
    interval: wilsonInterval(ok.length, runs.length),
    outcomes,
    median: { 'total-time-ms': num('total-time-ms'), 'downtime-ms': num('downtime-ms'), 'transferred-bytes': num('transferred-bytes'), 'dirty-sync-count': num('dirty-sync-count') },
  };
}

/** Runs `cfg` once per seed (the configuration's own seed is replaced). */
export function sweepSeeds(cfg: ModelConfig, seeds: number[], onRun?: (r: SeedRun, done: number) => void): SeedSweep {
  const runs: SeedRun[] = [];
  for (const seed of seeds) {
    const r = seedRun(seed, runMigration({ ...cfg, seed }).result);
    runs.push(r);
    onRun?.(r, runs.length);
  }
  return summariseSeeds(cfg.name, runs);
}

/** `n` consecutive seeds from `first`. */
export function seedRange(first: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => first + i);
}

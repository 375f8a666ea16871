// `migtrace run <scenario> --seeds N` and `migtrace compare ... --seeds N`: the scenario over N
// consecutive seeds (from --seed, else the scenario's): the fraction that converged with its 95%
// Wilson interval, how each outcome counted, and the medians of the runs that converged.

import { seedRange, sweepSeeds, type SeedSweep } from '../model/seedSweep';
import type { ModelConfig } from '../model/config';
import { UsageError } from './args';
import type { CliIO } from './io';

export const SEEDS_MAX = 100_000;

export function seedsOf(n: unknown, first: number, command: string): number[] {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > SEEDS_MAX) throw new UsageError(`--seeds must be an integer from 1 to ${SEEDS_MAX}, got ${String(n)}`, command);
  return seedRange(first, n);
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const ms = (x: number | null) => (x === null ? '-' : `${Math.round(x)} ms`);
const mb = (x: number | null) => (x === null ? '-' : `${(x / 1e6).toFixed(1)} MB`);

/** One line: "converged 13 of 20 (65%, 95% interval 43%-82%)". */
export function formatFraction(s: SeedSweep): string {
  return `converged ${s.converged} of ${s.runs.length} (${pct(s.fraction)}, 95% interval ${pct(s.interval[0])}-${pct(s.interval[1])})`;
}

export function formatSweep(s: SeedSweep): string {
  const seeds = s.seeds.length === 1 ? `seed ${s.seeds[0]}` : `seeds ${s.seeds[0]}..${s.seeds[s.seeds.length - 1]}`;
  const outcomes = Object.entries(s.outcomes).map(([o, c]) => `${o} ${c}`).join(', ');
  const lines = [`${s.scenario} over ${s.runs.length} ${seeds}: ${formatFraction(s)}`, `  outcomes: ${outcomes}`];
  if (s.converged > 0) {
    const m = s.median;
    lines.push(`  median of the converged runs: total time ${ms(m['total-time-ms'])}, downtime ${ms(m['downtime-ms'])}, transferred ${mb(m['transferred-bytes'])}, dirty-sync-count ${m['dirty-sync-count']}`);
  }
  return lines.join('\n');
}

/** JSON for machines: the summary and every seed's figures. */
export function sweepJson(s: SeedSweep): Record<string, unknown> {
  return { scenario: s.scenario, seeds: s.runs.length, 'first-seed': s.seeds[0], converged: s.converged, fraction: s.fraction, interval: s.interval, outcomes: s.outcomes, median: s.median, runs: s.runs };
}

/** Exit code of a sweep: 0 if every seed converged without loss, else the worst outcome's (hang 3, data lost 4, not converged 5). */
export function sweepExit(s: SeedSweep): number {
  if ((s.outcomes.hang ?? 0) > 0) return 3;
  if ((s.outcomes['data-loss'] ?? 0) > 0) return 4;
  if ((s.outcomes['not-converged'] ?? 0) + (s.outcomes.failed ?? 0) > 0) return 5;
  return 0;
}

/** `run --seeds N`. */
export function runSeeds(cfg: ModelConfig, seeds: number[], json: boolean, quiet: boolean, io: CliIO): number {
  const s = sweepSeeds(cfg, seeds, quiet ? undefined : (_r, done) => io.progress(`${cfg.name}: seed ${done} of ${seeds.length}`));
  if (!quiet) io.progress('');
  io.out(json ? JSON.stringify(sweepJson(s)) : formatSweep(s));
  return sweepExit(s);
}

/** `compare ... --seeds N`: each design or option set over the same seeds, side by side. */
export function compareSeeds(runs: { label: string; cfg: ModelConfig }[], n: unknown, first: number | undefined, json: boolean, io: CliIO): number {
  const rows: { label: string; sweep: SeedSweep }[] = [];
  for (const r of runs) {
    const seeds = seedsOf(n, first ?? r.cfg.seed, 'compare');
    rows.push({ label: r.label, sweep: sweepSeeds(r.cfg, seeds, (_x, done) => io.progress(`compare: ${r.cfg.name} as ${r.label}, seed ${done} of ${seeds.length}`)) });
  }
  io.progress('');
  const name = runs[0]?.cfg.name ?? '';
  if (json) {
    io.out(JSON.stringify({ scenario: name, runs: rows.map((r) => ({ label: r.label, ...sweepJson(r.sweep) })) }));
    return 0;
  }
  const cols: [string, (s: SeedSweep) => string][] = [
    ['converged', (s) => `${s.converged}/${s.runs.length} (${pct(s.fraction)})`],
    ['95% interval', (s) => `${pct(s.interval[0])}-${pct(s.interval[1])}`],
    ['median total time', (s) => ms(s.median['total-time-ms'])],
    ['median downtime', (s) => ms(s.median['downtime-ms'])],
    ['median transferred', (s) => mb(s.median['transferred-bytes'])],
    ['median syncs', (s) => (s.median['dirty-sync-count'] === null ? '-' : String(s.median['dirty-sync-count']))],
  ];
  const head = ['', ...rows.map((r) => r.label)];
  const body = cols.map(([c, f]) => [c, ...rows.map((r) => f(r.sweep))]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const s0 = rows[0]?.sweep;
  io.out(`${name} over ${s0?.runs.length ?? 0} seeds (${s0?.seeds[0]}..${s0?.seeds[s0.seeds.length - 1]}); medians over the converged runs\n${[line(head), ...body.map(line)].join('\n')}`);
  return 0;
}

// `migtrace compare <scenario> --profiles a,b,c`: the same scenario under several designs (or
// option sets, with --variant), side by side: total time, downtime, transferred, mean and peak
// throughput, syncs, converged or not, BQL hold and wait, vCPU time stalled on the BQL or
// throttled. --json for machines.

import { formatNs } from '../sim/hangReport';
import { runMigration, type MigrationResult } from '../model/run';
import { PROFILES } from '../scenario/schema';
import { UsageError, type CommandSpec, type ParsedArgs } from './args';
import type { CliIO } from './io';
import { checkSets, loadScenarioArg } from './scenarioSource';
import { compareSeeds } from './seedsRun';

export const COMPARE_SPEC: CommandSpec = {
  name: 'compare',
  summary: 'Run one scenario under several designs or option sets and print them side by side.',
  positionals: [{ name: 'scenario', help: 'a built-in scenario name or a scenario JSON file' }],
  flags: [
    { name: 'profiles', kind: 'string', value: 'A,B,..', help: `designs to compare (${PROFILES.join(', ')})` },
    { name: 'variant', kind: 'repeat', value: 'LABEL:K=V;K=V', help: 'an option set to compare, e.g. "ac:migration.capabilities.auto-converge=true"' },
    { name: 'set', kind: 'repeat', value: 'KEY=VALUE', help: 'override a scenario field for every run' },
    { name: 'seed', kind: 'int', value: 'N', min: 0, max: Number.MAX_SAFE_INTEGER, help: 'seed of every run' },
    { name: 'seeds', kind: 'int', value: 'N', help: 'run each design or option set over N seeds (from --seed on): the fraction that converged with its 95% Wilson interval, and medians of the converged runs' },
    { name: 'json', kind: 'bool', help: 'print one JSON object' },
  ],
};

export interface CompareRow {
  label: string;
  outcome: string;
  'total-time-ms': number;
  'downtime-ms': number | null;
  'transferred-bytes': number;
  'mean-gbps': number;
  'peak-gbps': number;
  'dirty-sync-count': number;
  converged: boolean;
  'bql-hold-total-ns': number;
  'bql-hold-max-ns': number;
  'bql-wait-total-ns': number;
  'bql-wait-max-ns': number;
  'vcpu-bql-stall-ns': number;
  'vcpu-throttled-ns': number;
  'pages-lost': number;
  /** seconds after migration start when the VM was stopped for the final copy (null: never) */
  'stop-copy-s': number | null;
}

function row(label: string, r: MigrationResult): CompareRow {
  const bql = r.locks.find((l) => l.name === 'bql');
  return {
    label,
    outcome: r.outcome,
    'total-time-ms': r.info['total-time'] ?? 0,
    'downtime-ms': r.info.downtime ?? null,
    'transferred-bytes': r.info.ram?.transferred ?? 0,
    'mean-gbps': (r.mean_bytes_per_s * 8) / 1e9,
    'peak-gbps': (r.peak_bytes_per_s * 8) / 1e9,
    'dirty-sync-count': r.info.ram?.['dirty-sync-count'] ?? 0,
    converged: r.outcome === 'completed' || r.outcome === 'data-loss',
    'bql-hold-total-ns': bql?.hold_ns_total ?? 0,
    'bql-hold-max-ns': bql?.hold_ns_max ?? 0,
    'bql-wait-total-ns': bql?.wait_ns_total ?? 0,
    'bql-wait-max-ns': bql?.wait_ns_max ?? 0,
    'vcpu-bql-stall-ns': r.vcpu_bql_wait_ns,
    'vcpu-throttled-ns': r.vcpu_throttled_ns,
    'pages-lost': r.pages_lost,
    'stop-copy-s': r.stop_copy_ns < 0 ? null : r.stop_copy_s,
  };
}

function table(rows: CompareRow[]): string {
  const cols: [string, (r: CompareRow) => string][] = [
    ['outcome', (r) => r.outcome],
    ['total time', (r) => `${(r['total-time-ms'] / 1000).toFixed(1)} s`],
    ['downtime', (r) => (r['downtime-ms'] === null ? '-' : `${r['downtime-ms']} ms`)],
    ['transferred', (r) => `${(r['transferred-bytes'] / 1e9).toFixed(1)} GB`],
    ['mean', (r) => `${r['mean-gbps'].toFixed(2)} Gb/s`],
    ['peak', (r) => `${r['peak-gbps'].toFixed(2)} Gb/s`],
    ['syncs', (r) => String(r['dirty-sync-count'])],
    ['converged', (r) => (r.converged ? 'yes' : 'no')],
    ['stop-copy at', (r) => (r['stop-copy-s'] === null ? '-' : `${r['stop-copy-s'].toFixed(1)} s`)],
    ['BQL hold total', (r) => formatNs(r['bql-hold-total-ns'])],
    ['BQL hold max', (r) => formatNs(r['bql-hold-max-ns'])],
    ['BQL wait total', (r) => formatNs(r['bql-wait-total-ns'])],
    ['BQL wait max', (r) => formatNs(r['bql-wait-max-ns'])],
    ['vCPU stalled on BQL', (r) => formatNs(r['vcpu-bql-stall-ns'])],
    ['vCPU throttled', (r) => formatNs(r['vcpu-throttled-ns'])],
    ['pages lost', (r) => String(r['pages-lost'])],
  ];
  const head = ['', ...rows.map((r) => r.label)];
  const body = cols.map(([name, f]) => [name, ...rows.map(f)]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

export function compareCommand(a: ParsedArgs, io: CliIO): number {
  const profiles = ((a.flags.profiles as string | undefined) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const variants = (a.flags.variant as string[] | undefined) ?? [];
  if (profiles.length === 0 && variants.length === 0) throw new UsageError('give --profiles A,B,.. and/or --variant LABEL:K=V;..', 'compare');
  for (const p of profiles) if (!(PROFILES as readonly string[]).includes(p)) throw new UsageError(`unknown profile "${p}"; profiles: ${PROFILES.join(', ')}`, 'compare');
  const sets = (a.flags.set as string[] | undefined) ?? [];
  const seed = a.flags.seed as number | undefined;
  const runs: { label: string; sets: string[] }[] = [
    ...profiles.map((p) => ({ label: p, sets: [...sets, `migration.profile=${p}`] })),
    ...variants.map((v) => {
      const colon = v.indexOf(':');
      if (colon <= 0) throw new UsageError(`--variant "${v}" must look like LABEL:key=value;key=value`, 'compare');
      const own = v.slice(colon + 1).split(';').filter((s) => s !== '');
      checkSets(own, `--variant ${v.slice(0, colon)}:`);
      return { label: v.slice(0, colon), sets: [...sets, ...own] };
    }),
  ];
  if (a.flags.seeds !== undefined) return compareSeeds(runs.map((r) => ({ label: r.label, cfg: loadScenarioArg(a.positionals[0], r.sets, seed).config })), a.flags.seeds, seed, Boolean(a.flags.json), io);
  const rows: CompareRow[] = [];
  let name = '';
  for (const r of runs) {
    const sc = loadScenarioArg(a.positionals[0], r.sets, seed);
    name = sc.config.name;
    io.progress(`compare: running ${name} as ${r.label}`);
    rows.push(row(r.label, runMigration(sc.config).result));
  }
  io.progress('');
  if (a.flags.json) io.out(JSON.stringify({ scenario: name, seed: seed ?? null, runs: rows }));
  else io.out(`${name}${seed !== undefined ? ` (seed ${seed})` : ''}\n${table(rows)}`);
  return 0;
}

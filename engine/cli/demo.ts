// `migtrace demo`: the main job a new user runs. It simulates the two migrations of the 2012 report
// that started this project (an idle and a SpecJBB 128 GiB / 10 vCPU guest, with the
// migration-thread RFC) and prints QEMU's `info migrate` for each, next to what the report quoted.
// `--kernel` runs the kernel's example programs instead (deadlock, lost wakeup, livelock).
// Every figure printed is computed by the run, except the lines marked as quoted from the report;
// each model figure beside a quoted one says whether it was fitted on it, borrowed or predicted.

import { Kernel, formatHangReport, formatLockTable, formatNs, lockSummaries } from '../sim';
import { abba, boundedBuffer, livelock, lostWakeup } from '../sim/examples';
import { loadBuiltin } from '../scenario/load';
import { runMigration, type MigrationResult } from '../model/run';
import { formatProvenance, provenanceOf } from '../model/provenance';
import type { LoadedScenario } from '../scenario/load';
import type { CliIO } from './io';
import { formatRunText } from './runText';

interface Example {
  name: string;
  what: string;
  make: (seed: number) => Kernel;
}

const EXAMPLES: Example[] = [
  { name: 'bounded-buffer', what: 'a producer and two consumers on a 3-slot queue (correct)', make: (seed) => boundedBuffer({ seed, watchdog_ns: 50_000_000 }) },
  { name: 'abba', what: 'two threads taking locks A and B in opposite orders', make: (seed) => abba({ seed }) },
  { name: 'lost-wakeup', what: 'a signal sent before anyone waits, with no predicate', make: (seed) => lostWakeup({ seed }) },
  { name: 'livelock', what: 'two polite threads backing off in lockstep', make: (seed) => livelock({ seed }) },
];

export function runKernelDemo(io: CliIO, seed: number): number {
  io.out(`migtrace kernel demonstration, seed ${seed}`);
  for (const ex of EXAMPLES) {
    const k = ex.make(seed);
    const stop = k.run();
    io.out('');
    io.out(`== ${ex.name}: ${ex.what}`);
    io.out(`outcome ${stop}; virtual time ${formatNs(k.s.now_ns)}; ${k.s.steps} steps; ${k.s.decisions} scheduler decisions; ${k.s.threads.length} threads`);
    if (k.s.hang !== null) io.out(formatHangReport(k.s.hang));
    else io.out(formatLockTable(lockSummaries(k)));
  }
  return 0;
}

/** What the 2012 report quoted (research/seed-thread-2012-migration-thread-rfc.txt), figure by figure. */
interface Quoted {
  metric: string;
  what: string;
  quoted: string;
  ref: number;
  model: (r: MigrationResult, sc: LoadedScenario) => number;
  unit: string;
}

const KB = 1024;
const QUOTED: Record<string, Quoted[]> = {
  'seed-idle-128g': [
    { metric: 'completed', what: 'outcome', quoted: 'completed', ref: 1, model: (r) => (r.outcome === 'completed' ? 1 : 0), unit: '' },
    { metric: 'transferred-kbytes', what: 'transferred ram', quoted: '3811345 kbytes', ref: 3_811_345, model: (r) => Math.round((r.info.ram?.transferred ?? 0) / KB), unit: 'kbytes' },
    { metric: 'total-time-ms', what: 'total time', quoted: '199743 milliseconds', ref: 199_743, model: (r) => r.info['total-time'] ?? 0, unit: 'milliseconds' },
  ],
  'seed-specjbb-128g': [
    { metric: 'mean-throughput-gbps', what: 'throughput', quoted: '1.5-3 Gb/s on the 10 Gb/s link', ref: 2.25, model: (r) => +((r.mean_bytes_per_s * 8) / 1e9).toFixed(2), unit: 'Gb/s' },
    { metric: 'converged-while-workload-ran', what: 'converged while SpecJBB ran', quoted: 'no', ref: 0, model: (r, sc) => (r.stop_copy_ns >= 0 && r.stop_copy_ns < sc.config.start_delay_ns + sc.config.workload.stop_ns ? 1 : 0), unit: '' },
    { metric: 'transferred-kbytes', what: 'transferred ram', quoted: '129937687 kbytes', ref: 129_937_687, model: (r) => Math.round((r.info.ram?.transferred ?? 0) / KB), unit: 'kbytes' },
    { metric: 'total-time-ms', what: 'total time', quoted: '543228 milliseconds', ref: 543_228, model: (r) => r.info['total-time'] ?? 0, unit: 'milliseconds' },
  ],
};

/** The model's figures beside the report's, each labelled fitted / borrowed / predicted. */
export function formatBesideReport(name: string, r: MigrationResult, sc: LoadedScenario): string {
  const rows = QUOTED[name] ?? [];
  const lines = ['beside the 2012 report (fitted: constants chosen on that very figure; borrowed: fitted on another; predicted: nothing fitted on it):'];
  for (const q of rows) {
    const m = q.model(r, sc);
    const shown = q.unit === '' ? (q.metric === 'completed' ? (m === 1 ? 'completed' : r.outcome) : m === 1 ? 'yes' : 'no') : `${m} ${q.unit}`;
    const ratio = q.unit === '' ? '' : ` (model/report ${(m / q.ref).toFixed(3)})`;
    lines.push(`  ${q.what}: model ${shown}, reported ${q.quoted}${ratio}: ${formatProvenance(provenanceOf(name, q.metric))}`);
  }
  return lines.join('\n');
}

export function runSeedDemo(io: CliIO, seed: number, clock: () => number): number {
  io.out('migtrace: the 2012 migration-thread RFC report, simulated (128 GiB / 10 vCPU guest, speed 10G, downtime 2 s, 10 Gb/s link)');
  let worst = 0;
  for (const name of ['seed-idle-128g', 'seed-specjbb-128g']) {
    const sc = loadBuiltin(name, [], seed);
    const t0 = clock();
    const { result } = runMigration(sc.config);
    const wallMs = clock() - t0;
    io.out('');
    io.out(`== ${formatRunText(result)}`);
    io.out(formatBesideReport(name, result, sc));
    io.out(`(simulated ${formatNs(result.virtual_ns)} in ${wallMs} ms of wall time)`);
    if (result.outcome !== 'completed') worst = 1;
  }
  io.out('');
  io.out('Next: `migtrace run <scenario> --json`, `migtrace scenarios`, `migtrace demo --kernel`.');
  return worst;
}

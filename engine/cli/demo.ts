// `migtrace demo`: the main job a new user runs. It simulates the two migrations of the 2012 report
// that started this project (an idle and a SpecJBB 128 GiB / 10 vCPU guest, with the
// migration-thread RFC) and prints QEMU's `info migrate` for each, next to what the report quoted.
// `--kernel` runs the kernel's example programs instead (deadlock, lost wakeup, livelock).
// Every figure printed is computed by the run, except the lines marked as quoted from the report.

import { Kernel, formatHangReport, formatLockTable, formatNs, lockSummaries } from '../sim';
import { abba, boundedBuffer, livelock, lostWakeup } from '../sim/examples';
import { loadBuiltin } from '../scenario/load';
import { runMigration } from '../model/run';
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

/** What the 2012 report quoted for each case (research/seed-thread-2012-migration-thread-rfc.txt). */
const REPORTED: Record<string, string> = {
  'seed-idle-128g': 'reported in 2012: completed; transferred ram 3811345 kbytes; total time 199743 milliseconds',
  'seed-specjbb-128g': 'reported in 2012: 1.5-3 Gb/s on the 10 Gb/s link, no convergence while SpecJBB ran; completed: transferred ram 129937687 kbytes, total time 543228 milliseconds',
};

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
    io.out(REPORTED[name]);
    io.out(`(simulated ${formatNs(result.virtual_ns)} in ${wallMs} ms of wall time)`);
    if (result.outcome !== 'completed') worst = 1;
  }
  io.out('');
  io.out('Next: `migtrace run <scenario> --json`, `migtrace scenarios`, `migtrace demo --kernel`.');
  return worst;
}

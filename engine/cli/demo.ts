// `migtrace demo`: the main job a new user runs. Until the migration model exists it runs the
// kernel's example programs (a correct producer/consumer, an ABBA deadlock, a lost wakeup and a
// livelock) and prints what the kernel computed: outcome, virtual time, steps, decisions, the
// hang report or the lock table. Every figure printed is computed by the run.

import { Kernel, formatHangReport, formatLockTable, formatNs, lockSummaries } from '../sim';
import { abba, boundedBuffer, livelock, lostWakeup } from '../sim/examples';
import type { CliIO } from './io';

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

export function runDemo(io: CliIO, seed: number): number {
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

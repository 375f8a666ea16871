// Schedule search, measured through the same search the `migtrace explore` command runs (worker
// threads from dist/exploreWorker.js, two of them: the machine's cores):
//  - multifd-sync-hang on its small variant (a 128 MiB guest, TINY below: the same design, bug and
//    race, a run of a few milliseconds): runs to the first hit for random and PCT (depth 2 and 3),
//    median over 20 base seeds; the hit rate per run over 400 seeds; runs per second; one shrink;
//  - multifd-sync-hang on test/engine/stopping.test.ts's SMALL variant (2 GiB): hit rates, to show
//    how PCT's chance falls as rounds grow (its k grows, its window does not);
//  - seed-stage3-hang on the SMALL variant (4 GiB): hits (none), and the closest call: the most
//    run_on_cpu windows the main loop missed before it served the stop request.
// `npm run bench -- explore`; figures as BENCH lines.
import { loadBuiltin } from '../../engine/scenario/load';
import { targetSpecOf, type TargetSpec } from '../../engine/explore/target';
import { WorkerPool } from '../../engine/explore/service';
import { search, type SearchOptions } from '../../engine/explore/search';
import { reportOf } from '../../engine/explore/report';
import { mergeResults } from '../../engine/explore/merge';
import { median, wilson95 } from '../../engine/explore/stats';
import { shrinkFailure } from '../../engine/explore/shrink';
import { UNSHARDED } from '../../engine/explore/shard';

const JOBS = 2;
const BASES = 20;
const TINY = ['guest.memory="128M"', 'guest.workload.nonzero-memory="96M"', 'guest.workload.working-set="32M"'];
const SMALL_MULTIFD = ['guest.memory="2G"', 'guest.workload.nonzero-memory="1500M"', 'guest.workload.working-set="256M"'];
const SMALL_STAGE3 = ['guest.memory="4G"', 'guest.workload.nonzero-memory="3G"', 'guest.workload.working-set="320M"', 'guest.workload.working-set-offset="256M"', 'guest.workload.stop=8'];

interface Strat {
  label: string;
  strategy: 'random' | 'pct';
  depth: number;
}
const STRATS: Strat[] = [
  { label: 'random', strategy: 'random', depth: 0 },
  { label: 'pct-d2', strategy: 'pct', depth: 2 },
  { label: 'pct-d3', strategy: 'pct', depth: 3 },
];

function opts(target: TargetSpec, s: Strat, seed_first: number, runs: number, until_first: boolean): SearchOptions {
  return { target, strategy: s.strategy, depth: Math.max(1, s.depth), seed_first, runs, shard: UNSHARDED, until_first, out_dir: null, traces_per_group: 0, shrink: false, shrink_groups: 0, signature_frames: 1 };
}

async function timed(pool: WorkerPool, o: SearchOptions): Promise<{ rep: ReturnType<typeof reportOf>; s: number }> {
  const t0 = process.hrtime.bigint();
  const r = await search(o, pool, { stopped: false });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rep: reportOf(mergeResults([{ file: 'bench', result: r }]).result), s };
}

function rate(name: string, hits: number, n: number, runsPerS: number): void {
  const [lo, hi] = wilson95(hits, n);
  console.log(`BENCH ${name}-hit-rate ${(hits / n).toFixed(4)} hits/run`);
  console.log(`BENCH ${name}-hit-rate-ci95-low ${lo.toFixed(4)} hits/run`);
  console.log(`BENCH ${name}-hit-rate-ci95-high ${hi.toFixed(4)} hits/run`);
  console.log(`BENCH ${name}-runs-per-second ${runsPerS.toFixed(1)} runs/s`);
}

async function multifdTiny(): Promise<void> {
  const target = targetSpecOf(loadBuiltin('multifd-sync-hang', TINY));
  const pool = new WorkerPool(target, JOBS);
  try {
    for (const s of STRATS) {
      const name = `explore-multifd-small-${s.label}`;
      const firsts: number[] = [];
      for (let b = 1; b <= BASES; b++) {
        const { rep } = await timed(pool, opts(target, s, b * 100_000 + 1, 20_000, true));
        if (rep.runs_to_first_hit !== null) firsts.push(rep.runs_to_first_hit);
      }
      console.log(`BENCH ${name}-runs-to-first-hit-median ${median(firsts)} runs`);
      console.log(`BENCH ${name}-runs-to-first-hit-max ${Math.max(...firsts)} runs`);
      console.log(`BENCH ${name}-base-seeds-with-a-hit ${firsts.length} of-${BASES}`);
      const { rep, s: secs } = await timed(pool, opts(target, s, 1, 400, false));
      rate(name, rep.failures, rep.ran, rep.ran / secs);
    }
    // One shrink of random's first failure, as explore runs it (J workers).
    const t0 = process.hrtime.bigint();
    const first = (await timed(pool, opts(target, STRATS[0], 1, 100, true))).rep;
    const g = first.groups[0];
    const sh = await shrinkFailure(pool, g.first_seed, { name: 'random' }, g.group);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`BENCH explore-multifd-small-shrink-deviations ${sh?.script.at.length ?? -1} decisions`);
    console.log(`BENCH explore-multifd-small-shrink-original-deviations ${sh?.original_deviations ?? -1} decisions`);
    console.log(`BENCH explore-multifd-small-shrink-runs ${sh?.tests ?? -1} runs`);
    console.log(`BENCH explore-multifd-small-search-and-shrink-time ${ms.toFixed(0)} ms`);
  } finally {
    await pool.close();
  }
}

async function multifdSmall(): Promise<void> {
  const target = targetSpecOf(loadBuiltin('multifd-sync-hang', SMALL_MULTIFD));
  const pool = new WorkerPool(target, JOBS);
  try {
    for (const s of STRATS) {
      const { rep, s: secs } = await timed(pool, opts(target, s, 1, 100, false));
      rate(`explore-multifd-2g-${s.label}`, rep.failures, rep.ran, rep.ran / secs);
    }
  } finally {
    await pool.close();
  }
}

async function stage3(): Promise<void> {
  const target = targetSpecOf(loadBuiltin('seed-stage3-hang', SMALL_STAGE3));
  const pool = new WorkerPool(target, JOBS);
  try {
    for (const [s, n] of [[STRATS[0], 60], [STRATS[1], 30], [STRATS[2], 30]] as [Strat, number][]) {
      const name = `explore-stage3-small-${s.label}`;
      const { rep, s: secs } = await timed(pool, opts(target, s, 1, n, false));
      console.log(`BENCH ${name}-hits ${rep.failures} of-${rep.ran}`);
      console.log(`BENCH ${name}-closest-call ${rep.closest_call?.best?.value ?? -1} windows-missed-of-${rep.closest_call?.fails_at ?? '?'}`);
      console.log(`BENCH ${name}-closest-call-seed ${rep.closest_call?.best?.seed ?? -1} seed`);
      console.log(`BENCH ${name}-runs-per-second ${(rep.ran / secs).toFixed(1)} runs/s`);
    }
  } finally {
    await pool.close();
  }
}

export async function run(): Promise<void> {
  await multifdTiny();
  await multifdSmall();
  await stage3();
}

// The kernel's contract: stopping never changes a run. For every built-in scenario, runs stopped by
// random plans (at random virtual times, after random step counts, at every decision, at every
// event of a kind, with a debugger's reads, snapshots and restores at the stops) record a trace
// byte-identical to the run that never stopped. 1,040 plans over the 13 built-ins; the big ones
// run on less RAM so that a plan costs tens of milliseconds (the contract does not depend on how
// long a run is; test/cli/readme.test.ts runs them whole through the shipped command).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinNames, loadBuiltin, type LoadedScenario } from '../../engine/scenario/load';
import { buildMigration } from '../../engine/model/build';
import { summarise } from '../../engine/model/run';
import { queryMigrate } from '../../engine/model/stats';
import { resultJson } from '../../engine/model/resultJson';
import { threadRole } from '../../engine/model/roles';
import { headerFor, recordRun } from '../../engine/runtime/record';
import { TraceRecorder } from '../../engine/trace/recorder';
import { MemorySink } from '../../engine/trace/sink';
import { FanoutObserver, NullObserver } from '../../engine/sim/observer';
import { lockSummaries } from '../../engine/sim/lockReport';
import { restoreSnapshot, stateHash, takeSnapshot } from '../../engine/sim/snapshot';
import { prngCreate, prngInt, prngFloat, type PrngState } from '../../engine/sim/prng';
import type { Kernel } from '../../engine/sim/kernel';

const PLANS_PER_SCENARIO = 80;
/**
 * The big built-ins, made small enough that a plan costs tens of milliseconds: the same designs,
 * bugs and mechanisms (the stage-3 windows, completion, auto-converge, multifd syncs), on less RAM.
 */
const SMALL: Record<string, string[]> = {
  'seed-idle-128g': ['guest.memory="4G"', 'guest.workload.nonzero-memory="100M"'],
  'seed-specjbb-128g': ['guest.memory="4G"', 'guest.workload.nonzero-memory="3G"', 'guest.workload.working-set="320M"', 'guest.workload.working-set-offset="256M"', 'guest.workload.stop=8'],
  'seed-stage3-hang': ['guest.memory="4G"', 'guest.workload.nonzero-memory="3G"', 'guest.workload.working-set="320M"', 'guest.workload.working-set-offset="256M"', 'guest.workload.stop=8'],
  'chegu-256g': ['guest.memory="8G"', 'guest.workload.nonzero-memory="256M"', 'guest.workload.working-set="192M"', 'guest.workload.working-set-offset="32M"', 'limits.max-time=20'],
  'chegu-256g-autoconverge': ['guest.memory="8G"', 'guest.workload.nonzero-memory="256M"', 'guest.workload.working-set="192M"', 'guest.workload.working-set-offset="32M"'],
  'multifd-8ch-10g': ['guest.memory="1G"', 'guest.workload.nonzero-memory="800M"'],
  'multifd-sync-hang': ['guest.memory="2G"', 'guest.workload.nonzero-memory="1500M"', 'guest.workload.working-set="256M"'],
  'fault-bandwidth-collapse': ['limits.max-time=40'],
};

type StopKind = 'time' | 'steps' | 'decision' | 'event';
const EVENT_KINDS = ['threadState', 'framePush', 'framePop', 'lockContend', 'lockAcquire', 'lockRelease', 'condSignal', 'semPost', 'custom', 'decision'] as const;

interface Plan {
  kinds: StopKind[];
  event: (typeof EVENT_KINDS)[number];
  /** at a stop: read what a debugger reads; take a snapshot and restore it */
  reads: boolean;
  restores: boolean;
  stops_max: number;
}

/** Requests a stop at every event of one kind while armed. */
class Stopper extends NullObserver {
  armed = false;
  constructor(private readonly k: () => Kernel, kind: string) {
    super();
    (this as unknown as Record<string, () => void>)[kind] = () => {
      if (this.armed) this.k().requestStop();
    };
  }
}

function scenario(name: string): LoadedScenario {
  return loadBuiltin(name, SMALL[name] ?? []);
}

function straight(sc: LoadedScenario): { bytes: Uint8Array; end_ns: number; steps: number } {
  const sink = new MemorySink();
  const r = recordRun(sc, sink);
  return { bytes: sink.bytes(), end_ns: r.kernel.now, steps: r.kernel.s.steps };
}

function stopped(sc: LoadedScenario, plan: Plan, rng: PrngState, end_ns: number, steps_total: number): { bytes: Uint8Array; stops: number } {
  const sink = new MemorySink();
  let rec: TraceRecorder | null = null;
  let kernel: Kernel | null = null;
  const stopper = new Stopper(() => kernel!, plan.event);
  const { kernel: k, ctx } = buildMigration(sc.config, {
    observe: (kk) => {
      kernel = kk;
      rec = new TraceRecorder(kk, headerFor(sc), sink, threadRole);
      return new FanoutObserver([rec, stopper]);
    },
  });
  let stops = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const kind = stops >= plan.stops_max ? null : plan.kinds[prngInt(rng, plan.kinds.length)];
    stopper.armed = kind === 'decision' || kind === 'event';
    if (kind === 'decision') (stopper as unknown as Record<string, unknown>).decision = () => k.requestStop();
    let r;
    if (kind === 'time') r = k.run({ until_ns: k.now + Math.floor(prngFloat(rng) * (end_ns / 20)) });
    else if (kind === 'steps') r = k.run({ steps: 1 + prngInt(rng, Math.max(1, Math.floor(steps_total / 20))) });
    else r = k.run();
    if (r === 'finished' || r === 'hung') break;
    stops++;
    // A debugger reads at its stops, and now and then snapshots and restores (bounded: a state
    // hash reads every page bitmap).
    if (plan.reads && stops % 97 === 1) {
      stateHash(k.s);
      queryMigrate(k, ctx);
      lockSummaries(k);
      for (const th of k.s.threads) th.stack.map((f) => k.program.statement(f.fn, f.at));
    }
    if (plan.restores && stops % 13 === 1) restoreSnapshot(k, takeSnapshot(k));
  }
  const r = rec as TraceRecorder | null;
  assert.ok(r !== null);
  r.finish(resultJson(summarise(k, ctx)));
  return { bytes: sink.bytes(), stops };
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

for (const name of builtinNames()) {
  test(`stopping never changes a run: ${name}, ${PLANS_PER_SCENARIO} random stop plans give the trace of the run that never stopped`, () => {
    const sc = scenario(name);
    const ref = straight(sc);
    const rng = prngCreate(name.length * 7919 + 17, 3);
    let stopsTotal = 0;
    for (let p = 0; p < PLANS_PER_SCENARIO; p++) {
      const kinds: StopKind[] = (['time', 'steps', 'decision', 'event'] as StopKind[]).filter(() => prngFloat(rng) < 0.6);
      if (kinds.length === 0) kinds.push((['time', 'steps', 'decision', 'event'] as StopKind[])[p % 4]);
      const plan: Plan = {
        kinds,
        event: EVENT_KINDS[prngInt(rng, EVENT_KINDS.length)],
        reads: prngFloat(rng) < 0.5,
        restores: prngFloat(rng) < 0.3,
        stops_max: 1 + prngInt(rng, p % 5 === 0 ? 3000 : 200),
      };
      const got = stopped(sc, plan, rng, ref.end_ns, ref.steps);
      stopsTotal += got.stops;
      const at = firstDifference(got.bytes, ref.bytes);
      assert.equal(at, -1, `${name}, plan ${p} ${JSON.stringify(plan)}: ${got.stops} stops; the trace differs from the straight run at byte ${at}`);
    }
    assert.ok(stopsTotal > PLANS_PER_SCENARIO, `the plans stopped the runs only ${stopsTotal} times`);
  });
}

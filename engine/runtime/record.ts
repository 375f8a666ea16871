// Running a scenario with a trace recorder attached: what `migtrace run --out` does, and what
// replay does again to compare.

import type { LoadedScenario } from '../scenario/load';
import { runMigration, type MigrationResult } from '../model/run';
import { threadRole } from '../model/roles';
import type { StrategyOptions } from '../sim/scheduler';
import type { DecisionLog } from '../sim/decisionLog';
import type { Kernel } from '../sim/kernel';
import type { ModelCtx } from '../model/ctx';
import { resultJson } from '../model/resultJson';
import { TraceRecorder } from '../trace/recorder';
import type { RecordingStats, TraceHeaderInfo } from '../trace/writer';
import type { TraceSink } from '../trace/sink';

export interface RecordOptions {
  strategy?: StrategyOptions;
  /** header to write instead of the one derived from the scenario (replay writes the original's) */
  header?: TraceHeaderInfo;
  replay?: DecisionLog;
  onProgress?: (k: Kernel, ctx: ModelCtx) => void;
  progress_every_ns?: number;
}

export function headerFor(sc: LoadedScenario, strategy: StrategyOptions = { strategy: 'random' }): TraceHeaderInfo {
  return {
    scenario_name: sc.config.name,
    scenario_json: JSON.stringify(sc.raw),
    seed: sc.config.seed,
    strategy: { name: strategy.strategy, depth: strategy.depth, steps_max: strategy.steps_max },
    profile: sc.config.profile.name,
    ram_bytes: sc.config.ram_bytes,
    vcpus: sc.config.vcpus,
  };
}

export interface RecordedRun {
  result: MigrationResult;
  recording: RecordingStats;
  kernel: Kernel;
}

/** Runs the scenario, recording every event to `sink`; the sink is closed when the footer is written. */
export function recordRun(sc: LoadedScenario, sink: TraceSink, o: RecordOptions = {}): RecordedRun {
  let rec: TraceRecorder | null = null;
  const header = o.header ?? headerFor(sc, o.strategy);
  let run: ReturnType<typeof runMigration>;
  try {
    run = runMigration(sc.config, {
      strategy: o.strategy,
      replay: o.replay,
      observe: (k) => (rec = new TraceRecorder(k, header, sink, threadRole)),
      onProgress: o.onProgress,
      progress_every_ns: o.progress_every_ns,
    });
  } catch (e) {
    // Whatever was recorded before the error goes out as whole packets: the sink then holds a
    // readable trace of the run up to the error (with no footer, so readers know it is partial).
    (rec as TraceRecorder | null)?.w.flush();
    throw e;
  }
  const r = rec as TraceRecorder | null;
  if (r === null) throw new Error('the recorder was not attached');
  const recording = r.finish(resultJson(run.result));
  return { result: run.result, recording, kernel: run.kernel };
}

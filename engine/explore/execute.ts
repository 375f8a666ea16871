// One run of a schedule search, as a worker thread (or the caller itself) executes it: build the
// target's run for (seed, strategy), attach what the job asks for (lock-order edges, the closest
// call, every decision's context for shrinking), run it to its end, classify it, and record it
// as a trace when asked. Jobs and records are plain data, so they cross thread boundaries as is.

import type { Kernel } from '../sim/kernel';
import { FanoutObserver, NullObserver, type SimObserver } from '../sim/observer';
import type { HangReport } from '../sim/hangReport';
import type { Outcome } from '../model/run';
import { openTarget, type Target, type TargetSpec } from './target';
import { kernelStrategy, type StrategySpec } from './strategy';
import { failureOf, SIGNATURE_FRAMES_DEFAULT, type Failure } from './signature';
import { LockOrderObserver, type LockEdge } from './lockOrder';
import { closeCallProbe, type CloseCall, type Escape } from './closeCall';
import { DecisionCapture, type Decisions } from './capture';
import { TraceOut } from './traceOut';
import { decisionWatcher, runWatchingDecision, type DecisionWindow } from './decisionWindow';
import { replayTrace } from '../runtime/replay';
import { readFileSync } from 'node:fs';

export interface RunJob {
  seed: number;
  strategy: StrategySpec;
  /** collect lock-order edges and the closest call (search runs) */
  analyse?: boolean;
  /** capture every decision's context (shrinking) */
  capture?: boolean;
  /** record the run to this trace file, with this explanation (JSON) in its header; verify: replay it */
  save?: { path: string; explanation?: string; verify?: boolean };
  /** watch this decision statement by statement (`default_tid`: who the default schedule runs there) */
  watch?: { decision: number; default_tid: number };
  signature_frames?: number;
}

export interface RunRecord {
  seed: number;
  outcome: Outcome;
  failure: Failure | null;
  reason: string;
  decisions: number;
  steps: number;
  time_ns: number;
  /** the hang report of a failed run */
  hang: HangReport | null;
  warnings: string[];
  edges: LockEdge[];
  close: CloseCall | null;
  /** how a run that did not fail got away from its bug's danger (analysed runs of a bug with a probe) */
  escape: Escape | null;
  capture: Decisions | null;
  window: DecisionWindow | null;
  /** thread names by id (watched runs) */
  thread_names: string[] | null;
  saved: { path: string; bytes: number; sha256: string; replay_matched: boolean | null } | null;
}

const targets = new Map<string, Target>();

/** The target of `spec`, opened once per thread. */
export function targetOf(spec: TargetSpec): Target {
  const key = JSON.stringify(spec);
  let t = targets.get(key);
  if (t === undefined) {
    t = openTarget(spec);
    targets.set(key, t);
  }
  return t;
}

export function executeJob(spec: TargetSpec, job: RunJob): RunRecord {
  const target = targetOf(spec);
  const strategy = kernelStrategy(job.strategy);
  if (job.save !== undefined) return saveRun(target, job, job.save);
  let lockObs = null as LockOrderObserver | null;
  let close = null as ReturnType<typeof closeCallProbe>;
  let cap = null as DecisionCapture | null;
  let watch = null as ReturnType<typeof decisionWatcher> | null;
  const observe = job.analyse || job.capture || job.watch
    ? (k: Kernel): SimObserver => {
      const parts: SimObserver[] = [];
      if (job.watch) {
        watch = decisionWatcher(() => k, job.watch.decision);
        parts.push(watch);
      }
      if (job.analyse) {
        lockObs = new LockOrderObserver(() => k, job.seed);
        parts.push(lockObs);
        close = closeCallProbe(k, target.bugs, target.vcpus);
        if (close !== null) parts.push(close.observer);
      }
      if (job.capture) {
        cap = new DecisionCapture(k);
        parts.push(cap);
      }
      return parts.length === 1 ? parts[0] : parts.length === 0 ? new NullObserver() : new FanoutObserver(parts);
    }
    : undefined;
  const b = target.build(job.seed, strategy, observe);
  let window: DecisionWindow | null = null;
  if (job.watch && watch !== null) window = runWatchingDecision(b.kernel, watch, job.watch.decision, job.watch.default_tid);
  else b.kernel.run();
  const r = b.summary();
  const failure = failureOf(r, job.signature_frames ?? SIGNATURE_FRAMES_DEFAULT);
  return {
    seed: job.seed,
    outcome: r.outcome,
    failure,
    reason: r.reason,
    decisions: r.decisions,
    steps: r.steps,
    time_ns: r.time_ns,
    hang: failure === null ? null : r.hang,
    warnings: r.warnings,
    edges: lockObs?.edges() ?? [],
    close: close?.result() ?? null,
    escape: failure === null ? close?.escape() ?? null : null,
    capture: cap?.done() ?? null,
    window,
    thread_names: job.watch ? b.kernel.s.threads.map((t) => t.name) : null,
    saved: null,
  };
}

function saveRun(target: Target, job: RunJob, save: NonNullable<RunJob['save']>): RunRecord {
  const out = new TraceOut(save.path);
  let r;
  try {
    r = target.record(job.seed, kernelStrategy(job.strategy), out, save.explanation);
  } catch (e) {
    out.abandon();
    throw e;
  }
  const failure = failureOf(r, job.signature_frames ?? SIGNATURE_FRAMES_DEFAULT);
  // `migtrace replay` of the file, as a user would run it: it must reproduce the run byte for byte.
  const replay_matched = save.verify ? replayTrace(readFileSync(save.path)).matched : null;
  return {
    seed: job.seed, outcome: r.outcome, failure, reason: r.reason, decisions: r.decisions, steps: r.steps, time_ns: r.time_ns,
    hang: failure === null ? null : r.hang, warnings: r.warnings, edges: [], close: null, escape: null, capture: null, window: null, thread_names: null,
    saved: { path: save.path, bytes: out.bytes, sha256: out.digest, replay_matched },
  };
}

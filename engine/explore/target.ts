// What a schedule search runs: a migration scenario (built-in or from a file, with its --set
// overrides applied: the scenario as run) or one of explore's own kernel programs (programs.ts).
// A target is plain data (TargetSpec) so that worker threads rebuild the same runs from it, and it
// has an identity, the hash of what is run and the engine that runs it, so that shards of
// different scenarios or engine versions are never merged.

import type { Kernel } from '../sim/kernel';
import type { SimObserver } from '../sim/observer';
import type { StrategyOptions } from '../sim/scheduler';
import type { HangReport } from '../sim/hangReport';
import { hashCreate, hashHex, hashString } from '../sim/hash';
import { buildMigration } from '../model/build';
import { summarise, type Outcome } from '../model/run';
import type { ModelConfig } from '../model/config';
import { loadScenarioValue, type LoadedScenario } from '../scenario/load';
import { headerFor, recordRun } from '../runtime/record';
import type { TraceSink } from '../trace/sink';
import { ENGINE_VERSION } from '../version';
import { buildProgram, programThreads, PROGRAMS, type ProgramName } from './programs';

export type TargetSpec =
  | { kind: 'scenario'; source: string; scenario_json: string }
  | { kind: 'program'; name: ProgramName };

/** What schedule search needs to know of one finished run. */
export interface RunSummary {
  outcome: Outcome;
  reason: string;
  hang: HangReport | null;
  warnings: string[];
  pages_lost: number;
  decisions: number;
  steps: number;
  time_ns: number;
}

export interface BuiltRun {
  kernel: Kernel;
  summary(): RunSummary;
}

export interface Target {
  spec: TargetSpec;
  name: string;
  /** hash of the scenario as run and the engine version */
  identity: string;
  /** bugs switched on (for probes) */
  bugs: ReadonlySet<string>;
  /** threads a run starts with (PCT's n) */
  threads: number;
  vcpus: number;
  build(seed: number, strategy: StrategyOptions, observe?: (k: Kernel) => SimObserver): BuiltRun;
  /** whether runs can be saved as traces that `migtrace replay` reproduces */
  recordable: boolean;
  /** runs and records to `sink`; `explanation` (JSON) goes into the trace header */
  record(seed: number, strategy: StrategyOptions, sink: TraceSink, explanation?: string): RunSummary;
}

function identityOf(kind: string, text: string): string {
  const h = hashCreate();
  hashString(h, `${kind}\n${ENGINE_VERSION}\n${text}`);
  return hashHex(h);
}

export function targetSpecOf(sc: LoadedScenario): TargetSpec {
  return { kind: 'scenario', source: sc.source, scenario_json: JSON.stringify(sc.raw) };
}

export function openTarget(spec: TargetSpec): Target {
  return spec.kind === 'scenario' ? scenarioTarget(spec) : programTarget(spec.name);
}

function scenarioTarget(spec: Extract<TargetSpec, { kind: 'scenario' }>): Target {
  const sc = loadScenarioValue(JSON.parse(spec.scenario_json), spec.source);
  const base = sc.config;
  const cfgFor = (seed: number): ModelConfig => ({ ...base, seed });
  const channels = base.profile.senders ? base.channels : 0;
  return {
    spec,
    name: base.name,
    identity: identityOf('scenario', spec.scenario_json),
    bugs: base.bugs,
    // main loop, vCPUs, migration thread, senders, bitmap thread, destination and receivers
    threads: 1 + base.vcpus + 1 + channels + (base.profile.bitmap_thread ? 1 : 0) + 1 + channels,
    vcpus: base.vcpus,
    build(seed, strategy, observe) {
      const b = buildMigration(cfgFor(seed), { strategy, observe });
      return {
        kernel: b.kernel,
        summary: () => {
          const r = summarise(b.kernel, b.ctx);
          return { outcome: r.outcome, reason: r.reason, hang: r.hang, warnings: r.warnings, pages_lost: r.pages_lost, decisions: r.decisions, steps: r.steps, time_ns: r.virtual_ns };
        },
      };
    },
    recordable: true,
    record(seed, strategy, sink, explanation) {
      const one: LoadedScenario = { ...sc, config: cfgFor(seed) };
      const header = { ...headerFor(one, strategy), explanation };
      const r = recordRun(one, sink, { strategy, header }).result;
      return { outcome: r.outcome, reason: r.reason, hang: r.hang, warnings: r.warnings, pages_lost: r.pages_lost, decisions: r.decisions, steps: r.steps, time_ns: r.virtual_ns };
    },
  };
}

function programTarget(name: ProgramName): Target {
  if (!PROGRAMS.includes(name)) throw new RangeError(`no kernel program named ${name}`);
  return {
    spec: { kind: 'program', name },
    name: `kernel:${name}`,
    identity: identityOf('program', name),
    bugs: new Set(),
    threads: programThreads(name),
    vcpus: 0,
    build(seed, strategy, observe) {
      const k = buildProgram(name, { seed, strategy });
      if (observe) k.obs = observe(k);
      return {
        kernel: k,
        summary: () => ({
          outcome: k.s.status === 'hung' ? 'hang' : k.s.status === 'finished' ? 'completed' : 'failed',
          reason: k.s.hang?.summary ?? k.s.status,
          hang: k.s.hang,
          warnings: [],
          pages_lost: 0,
          decisions: k.s.decisions,
          steps: k.s.steps,
          time_ns: k.now,
        }),
      };
    },
    recordable: false,
    record() {
      throw new Error(`runs of kernel:${name} are not saved as traces (replay rebuilds migration scenarios only)`);
    },
  };
}

// Starting a debug session from its launch configuration: a scenario (built-in or a file, seed,
// strategy, overrides) becomes a fresh simulated run; a .migtrace file becomes a replay of the
// run it recorded (its decisions followed, so a recorded hang is re-entered exactly) or, for a
// real QEMU migration, a run stepped by stage and sample. Every problem is one readable line.

import { isBuiltin, loadBuiltin, loadScenarioText, loadScenarioValue, type LoadedScenario } from '../scenario/load';
import { ScenarioError } from '../scenario/validate';
import { readTrace, type TraceData } from '../trace/reader';
import { TraceError } from '../trace/format';
import { runHeaderOf } from '../trace/rewrite';
import type { StrategyOptions } from '../sim/scheduler';
import { headerFor } from './record';
import { decisionsOf } from './replay';
import type { FileAccess, ProgressClock } from './host';
import { LaunchError, parseLaunchConfig, type LaunchConfig } from './launchConfig';
import { SimCore } from './simRun';
import { SimRun } from './simTarget';
import { QemuSourceIndex } from './qemuSource';
import { QemuTraceRun } from './qemuTraceRun';
import type { DebugTarget } from './debugTarget';
import type { CheckpointOptions } from './checkpoints';

export interface LaunchHost {
  fs: FileAccess;
  clock: ProgressClock;
  checkpoints?: CheckpointOptions;
}

export interface Launched {
  target: DebugTarget;
  config: LaunchConfig;
  /** what the session runs, for its first output line */
  summary: string;
}

async function readOrFail(fs: FileAccess, path: string, what: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(path);
  } catch (e) {
    throw new LaunchError(`${what} ${path}: ${(e as Error).message.replace(/^.*?: /, '')}`);
  }
}

async function loadScenario(fs: FileAccess, c: LaunchConfig): Promise<LoadedScenario> {
  const name = c.scenario!;
  try {
    if (isBuiltin(name)) return loadBuiltin(name, c.set ?? [], c.seed);
    if (!/[\\/.]/.test(name)) throw new LaunchError(`scenario "${name}": no built-in scenario of that name (see \`migtrace scenarios\`), and not a path to a scenario file`);
    const bytes = await readOrFail(fs, name, 'scenario file');
    return loadScenarioText(new TextDecoder().decode(bytes), name, c.set ?? [], c.seed);
  } catch (e) {
    if (e instanceof ScenarioError) throw new LaunchError(e.message.split('\n').join('; '));
    throw e;
  }
}

async function loadTrace(fs: FileAccess, path: string): Promise<TraceData> {
  const bytes = await readOrFail(fs, path, 'trace');
  let t: TraceData;
  try {
    t = readTrace(bytes);
  } catch (e) {
    if (e instanceof TraceError) throw new LaunchError(`trace ${path}: ${e.message}`);
    throw e;
  }
  if (t.stopped !== null && /damaged/.test(t.stopped.reason)) throw new LaunchError(`trace ${path} is damaged and cannot be replayed: ${t.stopped.reason}`);
  return t;
}

export async function launch(args: Record<string, unknown>, host: LaunchHost): Promise<Launched> {
  const c = parseLaunchConfig(args);
  if (c.trace !== undefined) {
    const t = await loadTrace(host.fs, c.trace);
    if (t.header.source === 'qemu') {
      return { target: new QemuTraceRun(t, c.trace), config: c, summary: `${c.trace}: a real QEMU migration (${t.header.qemu_version || 'QEMU'}), ${t.events.count} events, stepped by stage and by sample` };
    }
    if (t.header.source !== 'simulation') throw new LaunchError(`trace ${c.trace} records a "${t.header.source}" run; migtrace debugs simulated runs and real QEMU ones`);
    let scenario: unknown;
    try {
      scenario = JSON.parse(t.header.scenario_json);
    } catch {
      throw new LaunchError(`trace ${c.trace}: its header holds no readable scenario, so the run cannot be rebuilt`);
    }
    let sc: LoadedScenario;
    try {
      sc = loadScenarioValue(scenario, t.header.scenario_name || 'trace', [], t.header.seed);
    } catch (e) {
      if (e instanceof ScenarioError) throw new LaunchError(`trace ${c.trace}: its scenario no longer loads: ${e.message.split('\n').join('; ')}`);
      throw e;
    }
    const record = c.record === undefined ? undefined : { sink: host.fs.createTraceSink(c.record), header: runHeaderOf(t.header) };
    const core = new SimCore({ scenario: sc, strategy: { strategy: 'replay' }, replay: decisionsOf(t), record, clock: host.clock, checkpoints: host.checkpoints, lookAhead: c.lookAhead ?? true });
    const qemu = c.qemuSource === undefined ? null : await QemuSourceIndex.build(host.fs, c.qemuSource, core.k.program.fns.map((f) => f.name));
    const note = t.stopped !== null ? ` (the recording is incomplete: ${t.stopped.reason}; it replays as far as it goes)` : '';
    return { target: new SimRun(core, c.record ?? c.trace, qemu), config: c, summary: `${c.trace}: replaying ${sc.config.name} (seed ${sc.config.seed}) with its ${t.events.count} recorded events${note}` };
  }
  const sc = await loadScenario(host.fs, c);
  const script = c.deviations === undefined ? undefined : { at: c.deviations.map((d) => d.decision), tid: c.deviations.map((d) => d.tid) };
  const strategy: StrategyOptions | undefined = c.strategy === undefined ? undefined : { strategy: c.strategy, depth: c.depth, script };
  const record = c.record === undefined ? undefined : { sink: host.fs.createTraceSink(c.record), header: headerFor(sc, strategy) };
  const core = new SimCore({ scenario: sc, strategy, record, clock: host.clock, checkpoints: host.checkpoints, lookAhead: c.lookAhead ?? true });
  const qemu = c.qemuSource === undefined ? null : await QemuSourceIndex.build(host.fs, c.qemuSource, core.k.program.fns.map((f) => f.name));
  const qnote = qemu === null ? '' : `; ${qemu.size} of its functions found in ${c.qemuSource}`;
  return { target: new SimRun(core, c.record ?? null, qemu), config: c, summary: `${sc.config.name}: seed ${sc.config.seed}, ${strategy?.strategy ?? 'random'} schedule${script === undefined ? '' : ` with ${script.at.length} deviation${script.at.length === 1 ? '' : 's'}`}, profile ${sc.config.profile.name}${qnote}` };
}

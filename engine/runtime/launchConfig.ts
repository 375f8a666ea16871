// The launch configuration of a `migtrace` debug session (the contract in DESIGN.md and the
// extension's package.json), checked field by field: a mistake is one readable line naming the
// field, the value and what was expected, never a stack trace.

import { STRATEGIES, type StrategyName } from '../sim/scheduler';

export interface LaunchConfig {
  scenario?: string;
  trace?: string;
  seed?: number;
  strategy?: Exclude<StrategyName, 'replay'>;
  depth?: number;
  /** scripted: the default schedule, but at decision `decision` thread `tid` runs (as explore's guided search and shrinking write a schedule) */
  deviations?: { decision: number; tid: number }[];
  set?: string[];
  stopOnEntry?: boolean;
  /** virtual ns: start stopped at the first step boundary at or after it */
  stopAtTime?: number;
  qemuSource?: string;
  record?: string;
  /** run the migration ahead of the user while they look at a stop (default true) */
  lookAhead?: boolean;
}

export class LaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LaunchError';
  }
}

const KNOWN = ['scenario', 'trace', 'seed', 'strategy', 'depth', 'deviations', 'set', 'stopOnEntry', 'stopAtTime', 'qemuSource', 'record', 'lookAhead'];
/** fields every DAP client adds to a launch request */
const CLIENT_FIELDS = ['type', 'request', 'name', '__sessionId', '__configurationTarget', 'noDebug', '__restart', 'cwd', 'presentation', 'preLaunchTask', 'postDebugTask', 'internalConsoleOptions', 'debugServer', 'suppressMultipleSessionWarning', 'env'];

function fail(field: string, value: unknown, expected: string): never {
  throw new LaunchError(`launch configuration: "${field}" is ${JSON.stringify(value)}; expected ${expected}`);
}

export function parseLaunchConfig(args: Record<string, unknown>): LaunchConfig {
  const c: LaunchConfig = {};
  for (const key of Object.keys(args)) {
    if (!KNOWN.includes(key) && !CLIENT_FIELDS.includes(key) && !key.startsWith('__')) {
      throw new LaunchError(`launch configuration: unknown field "${key}"; known fields: ${KNOWN.join(', ')}`);
    }
  }
  const str = (f: string): string | undefined => {
    const v = args[f];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.trim() === '') fail(f, v, 'a non-empty string');
    return v;
  };
  c.scenario = str('scenario');
  c.trace = str('trace');
  c.qemuSource = str('qemuSource');
  c.record = str('record');
  if ((c.scenario === undefined) === (c.trace === undefined)) {
    throw new LaunchError(c.scenario === undefined
      ? 'launch configuration: give "scenario" (a built-in name such as seed-stage3-hang, or a scenario JSON file) or "trace" (a .migtrace file)'
      : 'launch configuration: give "scenario" or "trace", not both');
  }
  if (args.seed !== undefined) {
    if (!Number.isSafeInteger(args.seed) || (args.seed as number) < 0) fail('seed', args.seed, 'a non-negative integer');
    c.seed = args.seed as number;
  }
  if (args.strategy !== undefined) {
    const ok: string[] = STRATEGIES.filter((s) => s !== 'replay');
    if (typeof args.strategy !== 'string' || !ok.includes(args.strategy)) fail('strategy', args.strategy, `one of ${ok.join(', ')}`);
    c.strategy = args.strategy as LaunchConfig['strategy'];
  }
  if (args.depth !== undefined) {
    if (!Number.isInteger(args.depth) || (args.depth as number) < 1 || (args.depth as number) > 64) fail('depth', args.depth, 'an integer 1..64 (the PCT bug depth)');
    c.depth = args.depth as number;
  }
  if (args.deviations !== undefined) {
    const d = args.deviations;
    const expected = 'an array of { "decision": D, "tid": T } in ascending decision order (the "deviations" of a seed in an explore result file)';
    if (!Array.isArray(d)) fail('deviations', d, expected);
    let last = -1;
    for (const [i, e] of d.entries()) {
      const o = e as { decision?: unknown; tid?: unknown; thread?: unknown } | null;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) fail(`deviations[${i}]`, e, `an object { "decision": D, "tid": T } (${expected})`);
      // A witness's deviations also name the thread ("thread"): taken as they are, the name unread.
      const other = Object.keys(o!).find((k) => k !== 'decision' && k !== 'tid' && k !== 'thread');
      if (other !== undefined) fail(`deviations[${i}].${other}`, (o as Record<string, unknown>)[other], `no such field: a deviation has "decision", "tid" (and a witness's "thread", a name)`);
      if (o!.thread !== undefined && typeof o!.thread !== 'string') fail(`deviations[${i}].thread`, o!.thread, 'a thread name (it is not read: "tid" says which thread runs)');
      if (!Number.isSafeInteger(o!.decision) || (o!.decision as number) <= last) fail(`deviations[${i}].decision`, o!.decision, `an integer > ${last} (${expected})`);
      if (!Number.isSafeInteger(o!.tid) || (o!.tid as number) < 0) fail(`deviations[${i}].tid`, o!.tid, 'an integer >= 0 (a thread id, as the result file gives it)');
      last = o!.decision as number;
    }
    if (args.strategy !== undefined && args.strategy !== 'scripted') fail('strategy', args.strategy, '"scripted" (or no strategy) with "deviations": they are changes to the default schedule');
    c.deviations = (d as { decision: number; tid: number }[]).map((e) => ({ decision: e.decision, tid: e.tid }));
    c.strategy = 'scripted';
  }
  if (args.set !== undefined) {
    if (!Array.isArray(args.set) || !args.set.every((s) => typeof s === 'string')) fail('set', args.set, 'an array of "key.path=value" strings');
    c.set = args.set as string[];
  }
  if (args.lookAhead !== undefined) {
    if (typeof args.lookAhead !== 'boolean') fail('lookAhead', args.lookAhead, 'true or false');
    c.lookAhead = args.lookAhead;
  }
  if (args.stopOnEntry !== undefined) {
    if (typeof args.stopOnEntry !== 'boolean') fail('stopOnEntry', args.stopOnEntry, 'true or false');
    c.stopOnEntry = args.stopOnEntry;
  }
  if (args.stopAtTime !== undefined) {
    if (typeof args.stopAtTime !== 'number' || !Number.isFinite(args.stopAtTime) || args.stopAtTime < 0) fail('stopAtTime', args.stopAtTime, 'a virtual time in ns (a number ≥ 0)');
    c.stopAtTime = Math.round(args.stopAtTime);
  }
  if (c.record !== undefined && (c.record === c.trace || c.record === c.scenario)) {
    throw new LaunchError(`launch configuration: "record" is ${JSON.stringify(c.record)}, the file being debugged; choose another path (a recording never overwrites its input)`);
  }
  if (c.trace !== undefined && (c.seed !== undefined || c.strategy !== undefined || c.set !== undefined || c.depth !== undefined || c.deviations !== undefined)) {
    throw new LaunchError('launch configuration: "seed", "strategy", "depth", "deviations" and "set" describe a new run; a "trace" replays the run it recorded');
  }
  return c;
}

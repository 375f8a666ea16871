// Breakpoints of a debugging session, resolved against the run: function breakpoints on model
// function names (`ram_save_complete`), stage breakpoints (`stage:complete`, `stage:iterate`), lock
// breakpoints (`lock:bql`, conditions such as `wait > 100ms` or `holder == migration`), statement
// breakpoints and log points on a function's listing, data breakpoints on migration variables, and
// the exception filters. A name that matches nothing comes back unverified, with the reason and
// the nearest names.

import type { Kernel } from '../sim/kernel';
import type { ModelCtx } from '../model/ctx';
import type { MigStage } from '../model/state';
import { closestName, editDistance } from '../util/closest';
import { ConditionError, parseCondition, parseHitCondition, type Condition, type HitCondition } from './condition';
import { migrationVarNames, migVar, MIGRATION_VARS, type MigVar } from './migrationVars';

export interface BreakpointResult {
  id: number;
  verified: boolean;
  message?: string;
  /** for statement breakpoints: the listing line it was placed on */
  line?: number;
  /** for statement breakpoints: this session's reference of the listing it is in */
  sourceRef?: number;
}

export interface FunctionBreakpointSpec { name: string; condition?: string; hitCondition?: string }
export interface LineBreakpointSpec { line: number; condition?: string; hitCondition?: string; logMessage?: string }
export interface DataBreakpointSpec { dataId: string; condition?: string; hitCondition?: string }
export interface ExceptionFilterSpec { filterId: string; condition?: string }

export type BpKind = 'function' | 'stage' | 'lock' | 'line' | 'data';

export interface Bp {
  id: number;
  kind: BpKind;
  label: string;
  /** function: the ids of every function of that name; line: the one function */
  fns: Set<number>;
  /** line: the step index it stops after (-1: the function's entry) */
  step: number;
  stage: string;
  mutex: number;
  data: MigVar | null;
  cond: Condition | null;
  hit: HitCondition | null;
  log: string | null;
  hits: number;
}

/** Stage names as people say them, to MigStage (or a query-migrate status). */
export const STAGE_ALIASES: Record<string, string> = {
  setup: 'setup',
  iterate: 'iterative',
  iterative: 'iterative',
  complete: 'stop-copy',
  'stop-copy': 'stop-copy',
  done: 'done',
};
const STATUS_NAMES = ['active', 'device', 'completed', 'failed', 'cancelled', 'cancelling', 'pre-switchover', 'postcopy-active'];

export interface ExceptionFilterDef {
  filter: string;
  label: string;
  description: string;
  default: boolean;
  supportsCondition: boolean;
  conditionDescription?: string;
}

export const EXCEPTION_FILTERS: readonly ExceptionFilterDef[] = [
  { filter: 'hang', label: 'Hang', description: 'Any hang: deadlock, lost wakeup, every thread blocked, no progress (watchdog).', default: true, supportsCondition: true, conditionDescription: 'e.g. time > 100s' },
  { filter: 'deadlock', label: 'Deadlock', description: 'A wait-for cycle, or every live thread blocked.', default: true, supportsCondition: false },
  { filter: 'data-loss', label: 'Data loss', description: 'A page stale at the destination at switchover.', default: true, supportsCondition: false },
  { filter: 'non-convergence', label: 'Non-convergence', description: 'The migration was cancelled: it did not converge within max-time or max-iterations.', default: true, supportsCondition: false },
  { filter: 'downtime', label: 'Downtime over the limit', description: 'The migration completed with a downtime above downtime-limit.', default: false, supportsCondition: true, conditionDescription: 'e.g. downtime > 500ms' },
];

const LOCK_VARS = ['wait', 'holder', 'waiters', 'lock'];
const THREAD_VARS = ['thread'];

function conditionNames(kind: BpKind): string[] {
  const base = [...migrationVarNames(), ...THREAD_VARS];
  if (kind === 'lock') return [...base, ...LOCK_VARS];
  if (kind === 'data') return [...base, 'value', 'old'];
  return base;
}

export class BreakpointSet {
  private nextId = 1;
  fnBps: Bp[] = [];
  lineBps = new Map<number, Bp[]>();
  dataBps: Bp[] = [];
  exceptions = new Map<string, Condition | null>(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => [f.filter, null]));

  constructor(private readonly k: Kernel, private readonly ctx: ModelCtx | null) {}

  private base(kind: BpKind, label: string): Bp {
    return { id: this.nextId++, kind, label, fns: new Set(), step: -1, stage: '', mutex: -1, data: null, cond: null, hit: null, log: null, hits: 0 };
  }

  private extras(bp: Bp, spec: { condition?: string; hitCondition?: string; logMessage?: string }): string | null {
    try {
      if (spec.condition !== undefined && spec.condition.trim() !== '') bp.cond = parseCondition(spec.condition, conditionNames(bp.kind));
      if (spec.hitCondition !== undefined && spec.hitCondition.trim() !== '') bp.hit = parseHitCondition(spec.hitCondition);
    } catch (e) {
      if (e instanceof ConditionError) return e.message;
      throw e;
    }
    if (spec.logMessage !== undefined && spec.logMessage !== '') bp.log = spec.logMessage;
    return null;
  }

  private functionNames(): string[] {
    return [...new Set(this.k.program.fns.map((f) => f.name))];
  }

  /** Replaces every function, stage and lock breakpoint. */
  setFunctionBreakpoints(specs: FunctionBreakpointSpec[]): BreakpointResult[] {
    this.fnBps = [];
    return specs.map((spec) => {
      const name = spec.name.trim();
      const colon = name.indexOf(':');
      const prefix = colon > 0 ? name.slice(0, colon) : '';
      const arg = colon > 0 ? name.slice(colon + 1).trim() : name;
      let bp: Bp;
      let problem: string | null = null;
      if (prefix === 'stage') {
        bp = this.base('stage', name);
        const stage = STAGE_ALIASES[arg] ?? (STATUS_NAMES.includes(arg) ? arg : undefined);
        if (stage === undefined) {
          const known = [...Object.keys(STAGE_ALIASES), ...STATUS_NAMES];
          const near = closestName(arg, known, 3);
          problem = `no migration stage "${arg}"${near ? ` (did you mean "stage:${near}"?)` : ''}; stages: ${Object.keys(STAGE_ALIASES).map((s) => `stage:${s}`).join(', ')}; statuses: ${STATUS_NAMES.map((s) => `stage:${s}`).join(', ')}`;
        } else bp.stage = stage;
      } else if (prefix === 'lock') {
        bp = this.base('lock', name);
        const names = this.k.s.mutexes.map((m) => m.name);
        const want = arg.toLowerCase();
        const m = this.k.s.mutexes.find((x) => x.name.toLowerCase() === want);
        if (m === undefined) {
          const near = closestName(want, names, 3);
          problem = `no lock "${arg}" in this run${near ? ` (did you mean "lock:${near}"?)` : ''}; locks: ${names.map((n) => `lock:${n}`).join(', ')}`;
        } else bp.mutex = m.id;
      } else if (prefix !== '') {
        bp = this.base('function', name);
        problem = `unknown breakpoint kind "${prefix}:"; use a model function name (ram_save_complete), stage:NAME or lock:NAME`;
      } else {
        bp = this.base('function', name);
        const ids = this.k.program.ids(name);
        if (ids.length === 0) {
          const names = this.functionNames();
          const near = nearest(name, names);
          problem = `no model function "${name}" in this run${near.length > 0 ? ` (nearest: ${near.join(', ')})` : ''}; stage:NAME and lock:NAME break on stages and locks`;
        } else for (const id of ids) bp.fns.add(id);
      }
      problem ??= this.extras(bp, spec);
      if (problem !== null) return { id: bp.id, verified: false, message: problem };
      this.fnBps.push(bp);
      return { id: bp.id, verified: true };
    });
  }

  /** Replaces the statement breakpoints and log points in function `fn`'s listing (line 1 is its entry). */
  setLineBreakpoints(fn: number, lines: LineBreakpointSpec[], lineCount: number): BreakpointResult[] {
    const list: Bp[] = [];
    const results = lines.map((spec) => {
      const bp = this.base('line', `${this.k.program.name(fn)}:${spec.line}`);
      bp.fns.add(fn);
      bp.step = spec.line - 2;
      let problem = this.extras(bp, spec);
      if (problem === null && (spec.line < 1 || spec.line > lineCount)) problem = `line ${spec.line} is outside the listing of ${this.k.program.name(fn)} (lines 1-${lineCount})`;
      if (problem !== null) return { id: bp.id, verified: false, message: problem, line: spec.line };
      list.push(bp);
      return { id: bp.id, verified: true, line: spec.line };
    });
    if (list.length === 0) this.lineBps.delete(fn);
    else this.lineBps.set(fn, list);
    return results;
  }

  setDataBreakpoints(specs: DataBreakpointSpec[]): BreakpointResult[] {
    this.dataBps = [];
    return specs.map((spec) => {
      const bp = this.base('data', spec.dataId);
      const name = spec.dataId.replace(/^migration\./, '');
      const v = migVar(name);
      let problem: string | null = null;
      if (v === undefined || !v.watchable) {
        const names = MIGRATION_VARS.filter((x) => x.watchable).map((x) => x.name);
        const near = closestName(name, names, 3);
        problem = `no migration variable "${name}" to watch${near ? ` (did you mean "${near}"?)` : ''}; watchable: ${names.join(', ')}`;
      } else bp.data = v;
      problem ??= this.extras(bp, spec);
      if (problem !== null) return { id: bp.id, verified: false, message: problem };
      this.dataBps.push(bp);
      return { id: bp.id, verified: true };
    });
  }

  setExceptionFilters(specs: ExceptionFilterSpec[]): BreakpointResult[] {
    this.exceptions.clear();
    return specs.map((spec) => {
      const def = EXCEPTION_FILTERS.find((f) => f.filter === spec.filterId);
      const id = this.nextId++;
      if (def === undefined) {
        const near = closestName(spec.filterId, EXCEPTION_FILTERS.map((f) => f.filter), 3);
        return { id, verified: false, message: `no exception filter "${spec.filterId}"${near ? ` (did you mean "${near}"?)` : ''}` };
      }
      let cond: Condition | null = null;
      if (spec.condition !== undefined && spec.condition.trim() !== '') {
        try {
          cond = parseCondition(spec.condition, [...migrationVarNames(), 'downtime', 'kind']);
        } catch (e) {
          if (e instanceof ConditionError) return { id, verified: false, message: e.message };
          throw e;
        }
      }
      this.exceptions.set(def.filter, cond);
      return { id, verified: true };
    });
  }

  get any(): boolean {
    return this.fnBps.length > 0 || this.lineBps.size > 0 || this.dataBps.length > 0;
  }

  /** The stage names of MigStage, for the Stages listing. */
  static stages(): MigStage[] {
    return ['setup', 'iterative', 'stop-copy', 'done'];
  }

  get modelCtx(): ModelCtx | null {
    return this.ctx;
  }
}

/** Up to three names nearest to `name`: by edit distance, then by shared words. */
export function nearest(name: string, names: readonly string[]): string[] {
  const max = Math.max(2, Math.floor(name.length / 4));
  let close: string | undefined;
  let best = max + 1;
  for (const n of names) {
    const d = editDistance(name.toLowerCase(), n.toLowerCase());
    if (d < best) {
      best = d;
      close = n;
    }
  }
  const words = name.toLowerCase().split(/[_\-\s]+/).filter((w) => w.length >= 3);
  const sharing = names.filter((n) => n !== close && words.some((w) => n.toLowerCase().includes(w))).slice(0, close ? 2 : 3);
  return close ? [close, ...sharing] : sharing;
}

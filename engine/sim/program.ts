// A program is the code side of a simulation: a table of named functions, each an explicit
// resumable step function. The state side (frames with a function id, a step index and plain
// locals) refers to functions by id, so state snapshots never hold code. Function names are the
// names a backtrace shows; for the migration model they are QEMU's function names.

import type { Frame, SimThread } from './types';
import type { Kernel } from './kernel';

/**
 * One step of a function: read locals and shared data, compute, then perform exactly one effect
 * through the kernel (compute, lock, call, ret, ...), setting `f.pc` to where it resumes. The
 * kernel sets `f.at` to the step being executed before it runs it.
 */
export type StepFn<L = any> = (k: Kernel, f: Frame<L>, th: SimThread) => void;

/** One statement of a function: the step that performs it, as a debugger shows it. */
export interface StepDef {
  /** the step's name in the model's code (`lock_bql`) */
  name: string;
  /** the statement it stands for, in QEMU's words (`bql_lock();`): the line of the listing */
  text: string;
}

const STEP_DEFS: unique symbol = Symbol('steps');

/** Step name → step index (`f.pc`), in execution order, with the statements behind them. */
export type StepIds<K extends string> = { readonly [P in K]: number } & { readonly [STEP_DEFS]: readonly StepDef[] };

/**
 * The statements of a function, in the order they execute: `{ lock_bql: 'bql_lock();', ... }`
 * gives `S.lock_bql === 0`, and so on. A step function switches on these names, so its cases read
 * in the order of the QEMU function they model, and the debugger's listing is generated from them.
 */
export function steps<K extends string>(table: Record<K, string>): StepIds<K> {
  const ids: Record<string, number> = {};
  const defs: StepDef[] = [];
  for (const name of Object.keys(table) as K[]) {
    ids[name] = defs.length;
    defs.push({ name, text: table[name] });
  }
  Object.defineProperty(ids, STEP_DEFS, { value: defs, enumerable: false });
  return ids as unknown as StepIds<K>;
}

export interface FunctionDef {
  id: number;
  name: string;
  step: StepFn;
  /** its statements by step index; empty for a function not yet described statement by statement */
  steps: readonly StepDef[];
}

export class Program {
  readonly fns: FunctionDef[] = [];
  private readonly byName = new Map<string, number[]>();

  /**
   * Registers a function and returns its id. Two functions may share a name (two steps of one
   * QEMU function modelled apart, e.g. the 2012 ram_save_pending with and without its sync); a
   * breakpoint on the name matches both.
   */
  fn<L = any>(name: string, step: StepFn<L>, table?: StepIds<string>): number {
    const id = this.fns.length;
    this.fns.push({ id, name, step: step as StepFn, steps: table === undefined ? [] : table[STEP_DEFS] });
    const same = this.byName.get(name);
    if (same === undefined) this.byName.set(name, [id]);
    else same.push(id);
    return id;
  }

  /** Every function id with this name (empty if none). */
  ids(name: string): readonly number[] {
    return this.byName.get(name) ?? [];
  }

  id(name: string): number {
    const ids = this.byName.get(name);
    if (ids === undefined) throw new Error(`program has no function named ${name}`);
    return ids[0];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  name(id: number): string {
    const f = this.fns[id];
    return f === undefined ? `<fn ${id}>` : f.name;
  }

  /** The statement step `pc` of function `id` stands for (or a placeholder naming the step). */
  statement(id: number, pc: number): string {
    const f = this.fns[id];
    if (f === undefined) return `<fn ${id}>`;
    return f.steps[pc]?.text ?? `step ${pc}`;
  }
}

/** The statements of a function that takes a lock (function `lock`), calls one function and releases it (`unlock`). */
export function lockedSteps(lock: string, unlock: string, callee: string) {
  return steps({ lock: `${lock}();`, call: `${callee}();`, unlock: `${unlock}();`, ret: 'return;' });
}
const LOCKED = lockedSteps('bql_lock', 'bql_unlock', 'fn');

/**
 * The body of a function that takes mutex `m`, calls `fn` with `locals`, releases `m` and returns
 * (its statements: lockedSteps): QEMU's "with the BQL held, call X".
 */
export function callLocked(k: Kernel, f: Frame, m: number, fn: number, locals: unknown): void {
  switch (f.pc) {
    case LOCKED.lock:
      f.pc = LOCKED.call;
      return k.lock(m);
    case LOCKED.call:
      f.pc = LOCKED.unlock;
      return k.call(fn, locals);
    case LOCKED.unlock:
      f.pc = LOCKED.ret;
      return k.unlock(m);
    default:
      return k.ret();
  }
}

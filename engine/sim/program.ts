// A program is the code side of a simulation: a table of named functions, each an explicit
// resumable step function. The state side (frames with a function id, a step index and plain
// locals) refers to functions by id, so state snapshots never hold code. Function names are the
// names a backtrace shows; for the migration model they are QEMU's function names.

import type { Frame, SimThread } from './types';
import type { Kernel } from './kernel';

/**
 * One step of a function: read locals and shared data, compute, then perform exactly one effect
 * through the kernel (compute, lock, call, ret, ...), setting `f.pc` to where it resumes.
 */
export type StepFn<L = any> = (k: Kernel, f: Frame<L>, th: SimThread) => void;

export interface FunctionDef {
  id: number;
  name: string;
  step: StepFn;
}

export class Program {
  readonly fns: FunctionDef[] = [];
  private readonly byName = new Map<string, number>();

  /** Registers a function; names are unique within a program. Returns its id. */
  fn<L = any>(name: string, step: StepFn<L>): number {
    if (this.byName.has(name)) throw new Error(`program already has a function named ${name}`);
    const id = this.fns.length;
    this.fns.push({ id, name, step: step as StepFn });
    this.byName.set(name, id);
    return id;
  }

  id(name: string): number {
    const id = this.byName.get(name);
    if (id === undefined) throw new Error(`program has no function named ${name}`);
    return id;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  name(id: number): string {
    const f = this.fns[id];
    return f === undefined ? `<fn ${id}>` : f.name;
  }
}

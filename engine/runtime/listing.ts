// The read-only listing of a model function: line 1 is its entry, then one statement per line in
// QEMU's words, from the function's step table. A frame's line is the statement it is at
// (Frame.at), so the editor shows where each thread is inside QEMU's function. A function not yet
// described statement by statement lists its steps as "step N".

import type { Program } from '../sim/program';

export interface Listing {
  name: string;
  lines: string[];
}

/** Line of a frame that executed step `at` last (-1: not started, on its entry line). */
export function lineOfStep(at: number): number {
  return at + 2;
}

export function stepOfLine(line: number): number {
  return line - 2;
}

/**
 * The listing of function `fn`. `seenSteps` is one past the highest step index seen in a frame of
 * it, so an undescribed function lists at least as many steps as the run has shown.
 */
export function listingOf(p: Program, fn: number, seenSteps: number): Listing {
  const f = p.fns[fn];
  const name = f?.name ?? `<fn ${fn}>`;
  const lines = [`${name}(...)`];
  const n = Math.max(f?.steps.length ?? 0, seenSteps);
  for (let i = 0; i < n; i++) lines.push(`    ${p.statement(fn, i)}`);
  return { name, lines };
}

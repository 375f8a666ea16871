// migtrace's own DAP requests and events, typed (the contract with the timeline, docs/contracts):
// next stage / next iteration / go to time / lock table, and the `migtrace/stopped` event sent at
// every stop so that a timeline can follow the session.

import type { LockRow } from '../../engine/runtime/debugTarget';

export const CUSTOM = {
  goToTime: 'migtrace/goToTime',
  nextStage: 'migtrace/nextStage',
  nextIteration: 'migtrace/nextIteration',
  lockTable: 'migtrace/lockTable',
  stopped: 'migtrace/stopped',
} as const;

export interface GoToTimeArguments {
  /** virtual time in ns: the session stops at the first step boundary at or after it */
  time_ns: number;
}

export interface LockTableResponseBody {
  locks: LockRow[];
}

export interface StoppedEventBody {
  time_ns: number;
  decision: number;
  steps: number;
  reason: string;
}

/** Checks a goToTime request's arguments; returns a message naming what is wrong, or null. */
export function checkGoToTime(args: unknown): string | null {
  const t = (args as { time_ns?: unknown } | null)?.time_ns;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) return `${CUSTOM.goToTime}: "time_ns" must be a virtual time in ns (a number ≥ 0), got ${JSON.stringify(t)}`;
  return null;
}

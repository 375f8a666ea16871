// What a debug session drives, whether it is a simulated run (SimRun: stepping, reverse execution,
// breakpoints) or a recorded real QEMU migration (QemuTraceRun: stepping by stage and sample).
// Requests in, events out, like vscode-mock-debug's runtime under its session: extension/debug
// turns each DAP request into one call here and each event into one DAP event.

import type { BreakpointResult, DataBreakpointSpec, ExceptionFilterSpec, FunctionBreakpointSpec, LineBreakpointSpec } from './breakpoints';
import type { Emitter } from './emitter';
import type { StepMode, StopReasonName } from './stopMatcher';
import type { VarNode } from './varTree';

export interface StopEvent {
  reason: StopReasonName | 'end';
  description: string;
  /** the thread the stop is about (0-based tid), or -1 */
  tid: number;
  bpIds: number[];
  /** exception name for reason 'exception' */
  text?: string;
  time_ns: number;
  decision: number;
  steps: number;
}

export interface ProgressReport {
  kind: 'start' | 'update' | 'end';
  id: string;
  title?: string;
  message?: string;
  percentage?: number;
}

export interface TargetEvents {
  stopped: (e: StopEvent) => void;
  output: (text: string, category: 'console' | 'stdout' | 'stderr' | 'important') => void;
  progress: (p: ProgressReport) => void;
  /** the session is over (continue from the end of the run, or terminate) */
  ended: (exitCode: number) => void;
  /** a seek moved the world: every view must be fetched again */
  invalidated: () => void;
}

export interface ThreadInfo { tid: number; name: string }

export interface FrameInfo {
  id: number;
  name: string;
  line: number;
  /** listing of a model function (> 0), or 0 when `path` names a real file */
  sourceRef: number;
  sourceName: string;
  path?: string;
  canRestart: boolean;
  hint?: 'normal' | 'label' | 'subtle';
}

export interface ScopeInfo { name: string; ref: number; expensive: boolean; hint?: 'locals' | 'registers' }

export interface ExceptionDetails {
  id: string;
  description: string;
  details: string;
}

export interface GotoTarget { id: number; label: string; line: number }

export interface LockRow {
  name: string;
  owner: string | null;
  waiters: string[];
  acquisitions: number;
  contentions: number;
  wait_ns_total: number;
  wait_ns_max: number;
  hold_ns_total: number;
  hold_ns_max: number;
  sites: { caller: string; acquisitions: number; contentions: number; wait_ns_total: number; wait_ns_max: number; hold_ns_total: number; hold_ns_max: number }[];
}

export interface DebugTarget {
  readonly events: Emitter<TargetEvents>;
  readonly canStepBack: boolean;
  /** the trace a timeline of this session shows (the replayed or recorded file), if any */
  readonly tracePath: string | null;
  /** after configurationDone: stop on entry, at a time, or run */
  start(o: { stopOnEntry: boolean; stopAtTime?: number }): Promise<void>;
  continue(): Promise<void>;
  pause(): void;
  /** the session is over: stop any background work (the look-ahead) */
  dispose(): void;
  step(tid: number, mode: StepMode): Promise<void>;
  stepBack(tid: number): Promise<void>;
  reverseContinue(): Promise<void>;
  nextStage(): Promise<void>;
  nextIteration(): Promise<void>;
  goToTime(time_ns: number): Promise<void>;
  gotoTargets(sourceRef: number, line: number): Promise<GotoTarget[]>;
  goto(targetId: number): Promise<void>;
  restartFrame(frameId: number): Promise<void>;
  cancel(progressId: string): void;
  terminate(): void;

  threads(): ThreadInfo[];
  stack(tid: number): FrameInfo[];
  scopes(frameId: number): ScopeInfo[];
  variables(ref: number): VarNode[];
  /** a reference for a node's children, valid until the next stop */
  varRef(children: () => VarNode[]): number;
  source(ref: number): { content: string; mimeType: string } | null;
  exceptionInfo(): ExceptionDetails | null;
  lockTable(): LockRow[];
  evaluate(expression: string, frameId?: number): string;
  dataBreakpointInfo(ref: number, name: string): { dataId: string | null; description: string };

  setFunctionBreakpoints(specs: FunctionBreakpointSpec[]): BreakpointResult[];
  /** `sourceName`: the listing's name as the client has it (a reference is only good for the session that gave it; a client may send one from an earlier session) */
  setLineBreakpoints(sourceRef: number, specs: LineBreakpointSpec[], sourceName?: string): BreakpointResult[];
  setDataBreakpoints(specs: DataBreakpointSpec[]): BreakpointResult[];
  setExceptionFilters(specs: ExceptionFilterSpec[]): BreakpointResult[];
}

// A simulated run as a debug target: each request is one movement of the SimCore (forward to a
// goal, back by scanning checkpoints, a seek to a time or a boundary) followed by one stop event.

import { formatNs } from '../sim/hangReport';
import { md } from '../model/ctx';
import type { BreakpointResult, DataBreakpointSpec, ExceptionFilterSpec, FunctionBreakpointSpec, LineBreakpointSpec } from './breakpoints';
import type { DebugTarget, ExceptionDetails, FrameInfo, GotoTarget, LockRow, ScopeInfo, StopEvent, ThreadInfo } from './debugTarget';
import { filterStops, type EndException } from './exceptions';
import { formatValue, migVar } from './migrationVars';
import type { QemuSourceIndex } from './qemuSource';
import { SimCore } from './simRun';
import { frameOf, SimViews } from './simViews';
import { lossStops, type Goal, type Hit, type StepMode } from './stopMatcher';
import type { VarNode } from './varTree';

export class SimRun implements DebugTarget {
  readonly canStepBack = true;
  readonly views: SimViews;
  private gotoIds = new Map<number, number>();
  private nextGoto = 1;
  /** what exceptionInfo says at the current stop, when it is an exception */
  private exception: EndException | null = null;

  constructor(readonly core: SimCore, readonly tracePath: string | null, qemu: QemuSourceIndex | null = null) {
    this.views = new SimViews(core, qemu);
  }

  get events() {
    return this.core.events;
  }

  private stop(reason: StopEvent['reason'], description: string, tid: number, bpIds: number[] = [], text?: string, exception: EndException | null = null): void {
    const s = this.core.k.s;
    this.views.vars.reset();
    this.exception = exception;
    // A stop about no thread in particular focuses the migration thread.
    if (tid < 0) tid = this.core.ctx.ids.migration_tid;
    const e: StopEvent = { reason, description, tid, bpIds, text, time_ns: s.now_ns, decision: s.decisions, steps: s.steps };
    this.core.lastStop = e;
    this.core.leaveTemp();
    this.events.emit('stopped', e);
  }

  private stopHit(h: Hit): void {
    this.stop(h.reason, h.description, h.tid, h.bpIds, h.text, h.exception ?? null);
  }

  /** The stop at the end of the run: an exception if a filter catches how it ended. */
  private stopAtEnd(): void {
    const core = this.core;
    const e = core.endInfo;
    const migTid = core.ctx.ids.migration_tid;
    if (e !== null && filterStops(e, core.bps.exceptions, core.k, core.ctx)) {
      // Short: VS Code shows it beside the thread's name in the Call Stack; the exception widget has
      // the rest, at the focused thread's top frame: a migration thread that has exited has none,
      // so the stop focuses the first thread that has one.
      const threads = core.k.s.threads;
      const focus = threads[migTid]?.stack.length ? migTid : (threads.find((t) => t.stack.length > 0)?.id ?? migTid);
      this.stop('exception', `Paused on ${e.id}`, focus, [], e.id, e);
      return;
    }
    const r = core.summary();
    this.stop('end', `The run ended at t=${formatNs(core.k.now)}: ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`, migTid);
  }

  private report(r: Hit | 'end' | 'time' | 'paused'): void {
    if (r === 'end') this.stopAtEnd();
    else if (r === 'time') this.stop('goto', `Went to t=${formatNs(this.core.k.now)}`, -1);
    else if (r === 'paused') this.stop('pause', 'Paused', -1);
    else this.stopHit(r);
  }

  async start(o: { stopOnEntry: boolean; stopAtTime?: number }): Promise<void> {
    this.core.startLookAhead();
    if (o.stopAtTime !== undefined) return this.goToTime(o.stopAtTime);
    if (o.stopOnEntry) return this.stop('entry', 'Stopped at the start of the run', -1);
    return this.continue();
  }

  async continue(): Promise<void> {
    if (this.core.atEnd) {
      this.events.emit('ended', this.core.exitCode());
      return;
    }
    this.report(await this.core.forward({ kind: 'continue' }));
  }

  pause(): void {
    this.core.pause();
  }

  dispose(): void {
    this.core.dispose();
  }

  async step(tid: number, mode: StepMode): Promise<void> {
    const th = this.core.k.s.threads[tid];
    if (this.core.atEnd) return this.stopAtEnd();
    // A thread that has exited has no statement to step: say so, stay where the run is.
    if (th === undefined || th.stack.length === 0) return this.stop('step', `${th?.name ?? `thread ${tid}`} has exited: nothing to step; continue runs the other threads`, tid);
    this.report(await this.core.forward({ kind: 'step', mode, tid, depth: th.stack.length }));
  }

  async nextStage(): Promise<void> {
    if (this.core.atEnd) return this.stopAtEnd();
    this.report(await this.core.forward({ kind: 'nextStage' }));
  }

  async nextIteration(): Promise<void> {
    if (this.core.atEnd) return this.stopAtEnd();
    this.report(await this.core.forward({ kind: 'nextIteration' }));
  }

  /** Goes back to the last boundary where `goal` or a breakpoint matched; to the start if none. */
  private async back(goal: Goal): Promise<void> {
    const before = this.core.steps;
    const beforeNs = this.core.k.now;
    // Reverse continue with no breakpoint (nor a lost write behind, to stop at) has nothing to find: straight to the start.
    const lossBehind = lossStops(goal, this.core.bps) && md(this.core.k).mig.first_loss_ns >= 0;
    const nothing = goal.kind === 'continue' && !this.core.bps.any && !lossBehind;
    const found = before === 0 || nothing ? null : await this.core.scanBack(goal, before);
    this.events.emit('invalidated');
    if (found === null) {
      this.core.seekSteps(0);
      this.stop('entry', 'Back at the start of the run', -1);
      return;
    }
    if ('paused' in found) return this.stopPausedBack(found.paused, beforeNs);
    this.core.seekSteps(found.steps);
    this.stopHit(found.hit);
  }

  /** A scan back paused or cancelled: stops where it got to, saying what it had looked through. */
  private stopPausedBack(at: number, to: number): void {
    this.core.seekSteps(at);
    this.stop('pause', `Paused going back: nothing matched from t=${formatNs(this.core.k.now)} to t=${formatNs(to)}`, -1);
  }

  async stepBack(tid: number): Promise<void> {
    const before = this.core.steps;
    const found = before === 0 ? null : await this.core.scanBackStep(tid, before);
    this.events.emit('invalidated');
    this.core.seekSteps(found ?? 0);
    if (found === null) this.stop('entry', 'Back at the start of the run', tid);
    else this.stop('step', '', tid);
  }

  async reverseContinue(): Promise<void> {
    return this.back({ kind: 'continue' });
  }

  async goToTime(time_ns: number): Promise<void> {
    const r = await this.core.seekTime(time_ns);
    this.events.emit('invalidated');
    if (r === 'end') this.stopAtEnd();
    else this.stop('goto', `Went to t=${formatNs(this.core.k.now)} (asked for ${formatNs(time_ns)})`, -1);
  }

  /** Steps the run to boundary `steps` and stops there (a goto target, tests). */
  async gotoSteps(steps: number): Promise<void> {
    this.core.seekSteps(steps);
    this.events.emit('invalidated');
    if (this.core.atEnd) this.stopAtEnd();
    else this.stop('goto', `Went to step ${this.core.steps} (t=${formatNs(this.core.k.now)})`, -1);
  }

  async gotoTargets(sourceRef: number, line: number): Promise<GotoTarget[]> {
    const fn = sourceRef - 1;
    if (this.core.k.program.fns[fn] === undefined) return [];
    const goal: Goal = { kind: 'statement', fn, step: line - 2 };
    const here = this.core.steps;
    const out: GotoTarget[] = [];
    const prev = here === 0 ? null : await this.core.scanBack(goal, here);
    if (prev !== null && !('paused' in prev)) out.push(this.gotoTarget(prev.steps, 'previous', line));
    this.core.seekSteps(here);
    if (!this.core.atEnd) {
      const next = await this.core.forward(goal);
      if (next !== 'end' && next !== 'time' && next !== 'paused') out.push(this.gotoTarget(this.core.steps, 'next', line));
      this.core.seekSteps(here);
    }
    return out;
  }

  private gotoTarget(steps: number, which: string, line: number): GotoTarget {
    const id = this.nextGoto++;
    this.gotoIds.set(id, steps);
    this.core.seekSteps(steps);
    return { id, line, label: `${which} time this statement runs: t=${formatNs(this.core.k.now)} (step ${steps})` };
  }

  async goto(targetId: number): Promise<void> {
    const steps = this.gotoIds.get(targetId);
    if (steps === undefined) throw new Error(`no goto target ${targetId}`);
    return this.gotoSteps(steps);
  }

  async restartFrame(frameId: number): Promise<void> {
    const { tid, depth } = frameOf(frameId);
    const here = this.core.steps;
    const hereNs = this.core.k.now;
    const fn = this.core.k.s.threads[tid]?.stack[depth]?.fn;
    if (fn === undefined) throw new Error(`no frame ${frameId} to restart (thread ${tid} has no frame at depth ${depth})`);
    const found = here === 0 ? null : await this.core.scanBack({ kind: 'frameEntry', tid, depth: depth + 1, fn }, here);
    this.events.emit('invalidated');
    if (found !== null && 'paused' in found) return this.stopPausedBack(found.paused, hereNs);
    this.core.seekSteps(found === null ? 0 : found.steps);
    this.stop(found === null ? 'entry' : 'goto', found === null ? 'The frame was entered before the run started: back at the start' : 'Rewound to the entry of the frame', tid);
  }

  cancel(progressId: string): void {
    this.core.cancel(progressId);
  }

  terminate(): void {
    this.core.dispose();
    this.events.emit('ended', this.core.atEnd ? this.core.exitCode() : 0);
  }

  threads(): ThreadInfo[] {
    return this.views.threads();
  }

  stack(tid: number): FrameInfo[] {
    return this.views.stack(tid);
  }

  scopes(frameId: number): ScopeInfo[] {
    return this.views.scopes(frameId);
  }

  variables(ref: number): VarNode[] {
    return this.views.variables(ref);
  }

  varRef(children: () => VarNode[]): number {
    return this.views.vars.add(children);
  }

  source(ref: number): { content: string; mimeType: string } | null {
    return this.views.source(ref);
  }

  exceptionInfo(): ExceptionDetails | null {
    const e = this.exception ?? (this.core.atEnd ? this.core.endInfo : null);
    if (e === null) return null;
    return { id: e.id, description: e.description, details: e.details };
  }

  lockTable(): LockRow[] {
    return this.views.lockTable();
  }

  evaluate(expression: string): string {
    const x = expression.trim();
    const v = migVar(x);
    if (v !== undefined) return formatValue(v.get(this.core.k, this.core.ctx), v.unit);
    const s = this.core.k.s;
    if (x === 'decision') return String(s.decisions);
    if (x === 'steps') return String(s.steps);
    if (x === 'seed') return String(this.core.ctx.cfg.seed);
    if (x === 'look-ahead') return this.core.lookAheadText();
    const th = s.threads.find((t) => t.name === x);
    if (th !== undefined) return this.views.threads()[th.id].name;
    const m = s.mutexes.find((mx) => mx.name === x || mx.name === x.toLowerCase());
    if (m !== undefined) return m.owner >= 0 ? `held by ${s.threads[m.owner].name}, ${m.waiters.length} waiting` : 'free';
    throw new Error(`"${x}" is not a migration variable (status, stage, iteration, remaining, dirty-pages, bandwidth, threshold, expected-downtime, throttle...), a thread or a lock`);
  }

  dataBreakpointInfo(_ref: number, name: string): { dataId: string | null; description: string } {
    const v = migVar(name);
    if (v === undefined || !v.watchable) return { dataId: null, description: `${name} cannot be watched; data breakpoints watch migration variables (remaining, dirty-pages, cpu-throttle-percentage...)` };
    return { dataId: `migration.${v.name}`, description: `migration ${v.name} changes` };
  }

  setFunctionBreakpoints(specs: FunctionBreakpointSpec[]): BreakpointResult[] {
    return this.core.setFunctionBreakpoints(specs);
  }

  setLineBreakpoints(sourceRef: number, specs: LineBreakpointSpec[], sourceName?: string): BreakpointResult[] {
    const fns = this.core.k.program.fns;
    let fn = sourceRef - 1;
    // A listing named for another function than this session's reference `sourceRef` (VS Code keeps
    // breakpoints across sessions, with the reference of the session they were set in): by its name.
    const named = sourceName?.endsWith('.c') ? sourceName.slice(0, -2) : undefined;
    if (named !== undefined && fns[fn]?.name !== named) fn = fns.findIndex((f) => f.name === named);
    if (fns[fn] === undefined) {
      const message = named !== undefined ? `this run has no function ${named} (its model of QEMU differs from the run the breakpoint was set in)` : 'breakpoints go in the listing of a model function (open one from the Call Stack)';
      return specs.map((sp, i) => ({ id: -1 - i, verified: false, line: sp.line, message }));
    }
    return this.core.setLineBreakpoints(fn, specs, this.views.lineCount(fn)).map((b) => ({ ...b, sourceRef: fn + 1 }));
  }

  setDataBreakpoints(specs: DataBreakpointSpec[]): BreakpointResult[] {
    return this.core.setDataBreakpoints(specs);
  }

  setExceptionFilters(specs: ExceptionFilterSpec[]): BreakpointResult[] {
    return this.core.setExceptionFilters(specs);
  }

  /** For tests and the benchmark: where the run stands. */
  position(): { steps: number; time_ns: number; stage: string } {
    return { steps: this.core.steps, time_ns: this.core.k.now, stage: md(this.core.k).mig.stage };
  }
}

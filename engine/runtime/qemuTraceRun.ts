// A recorded real QEMU migration (from `qemu-run` or `import-qemu`) as a debug target. It is all
// recorded, so moving is choosing a point in the trace: step = the next recorded event (a trace
// event, a thread-state sample, a query-migrate sample), next stage = the next status change,
// next iteration = the next bitmap sync, back and "go to time" the same backwards. Threads are
// QEMU's real threads with their sampled states; a stack is what QEMU's trace events bracket
// (migration_bitmap_sync_start/_end...) plus the last trace point the thread hit. It says plainly
// what it cannot show: stacks beyond trace events, locks, the guest.

import { EK } from '../trace/format';
import type { TraceData } from '../trace/reader';
import { THREAD_STATE_NAMES } from '../sim/types';
import { formatNs } from '../sim/hangReport';
import { Emitter } from './emitter';
import type { BreakpointResult, DataBreakpointSpec, ExceptionFilterSpec, FunctionBreakpointSpec, LineBreakpointSpec } from './breakpoints';
import type { DebugTarget, ExceptionDetails, FrameInfo, GotoTarget, LockRow, ScopeInfo, StopEvent, TargetEvents, ThreadInfo } from './debugTarget';
import type { StepMode } from './stopMatcher';
import { plainNode, VarStore, type VarNode } from './varTree';

export const QEMU_TRACE_LIMITS = 'This is a recorded real QEMU migration: it steps by recorded event, stage and query-migrate sample. It cannot show stacks beyond what QEMU\'s trace events bracket, local variables, lock holders and waiters (the BQL is not traced), or step into the guest; thread states are samples from /proc, not every change.';

interface ThreadNow { state: string; stack: string[]; last: string; last_ns: number }

export class QemuTraceRun implements DebugTarget {
  readonly events = new Emitter<TargetEvents>();
  readonly canStepBack = true;
  private cursor = 0;
  private readonly vars = new VarStore();
  private fnBreaks = new Set<string>();

  constructor(readonly t: TraceData, readonly tracePath: string) {}

  private get n(): number {
    return this.t.events.count;
  }

  private timeAt(i: number): number {
    const e = this.t.events;
    return e.count === 0 ? 0 : e.time[Math.min(i, e.count - 1)];
  }

  private stop(reason: StopEvent['reason'], description: string, tid = -1): void {
    this.vars.reset();
    if (tid < 0) tid = Math.max(0, this.t.threads.findIndex((th) => th.role === 'migration'));
    this.events.emit('stopped', { reason, description, tid, bpIds: [], time_ns: this.timeAt(this.cursor), decision: 0, steps: this.cursor });
  }

  /** Puts the cursor just after the next event `pred` accepts; false (cursor at the end) if none. */
  private moveTo(pred: (i: number) => boolean): boolean {
    for (let i = this.cursor; i < this.n; i++) {
      if (pred(i)) {
        this.cursor = i + 1;
        return true;
      }
    }
    this.cursor = this.n;
    return false;
  }

  private modelKind(i: number): string {
    const e = this.t.events;
    return e.kind[i] === EK.MODEL ? this.t.model[e.a[i]]?.kind ?? '' : '';
  }

  private atEnd(): void {
    if (this.cursor >= this.n) {
      const st = (this.t.footer?.summary as { status?: string } | null)?.status ?? this.t.footer?.status ?? 'unknown';
      this.stop('end', `The recording ends at t=${formatNs(this.timeAt(this.n))}: ${st}`);
    }
  }

  async start(o: { stopOnEntry: boolean; stopAtTime?: number }): Promise<void> {
    this.events.emit('output', `${QEMU_TRACE_LIMITS}\n`, 'important');
    if (o.stopAtTime !== undefined) return this.goToTime(o.stopAtTime);
    if (o.stopOnEntry) return this.stop('entry', 'At the start of the recording');
    return this.continue();
  }

  async continue(): Promise<void> {
    if (this.cursor >= this.n) {
      this.events.emit('ended', 0);
      return;
    }
    const e = this.t.events;
    const hit = this.fnBreaks.size > 0 && this.moveTo((i) => (e.kind[i] === EK.FRAME_PUSH || e.kind[i] === EK.QEMU_TRACE) && this.fnBreaks.has(this.t.functions[e.b[i]] ?? ''));
    if (hit) return this.stop('function breakpoint', `Paused on ${this.t.functions[e.b[this.cursor - 1]]}`, e.a[this.cursor - 1]);
    this.cursor = this.n;
    this.atEnd();
  }

  pause(): void {}

  dispose(): void {}

  async step(_tid: number, _mode: StepMode): Promise<void> {
    this.cursor = Math.min(this.n, this.cursor + 1);
    if (this.cursor >= this.n) return this.atEnd();
    this.stop('step', `Sample ${this.cursor} of ${this.n}`, this.t.events.kind[this.cursor - 1] === EK.MODEL ? -1 : this.t.events.a[this.cursor - 1]);
  }

  async stepBack(): Promise<void> {
    this.cursor = Math.max(0, this.cursor - 1);
    this.events.emit('invalidated');
    this.stop(this.cursor === 0 ? 'entry' : 'step', this.cursor === 0 ? 'At the start of the recording' : `Sample ${this.cursor} of ${this.n}`);
  }

  async reverseContinue(): Promise<void> {
    this.cursor = 0;
    this.events.emit('invalidated');
    this.stop('entry', 'At the start of the recording');
  }

  async nextStage(): Promise<void> {
    if (!this.moveTo((i) => this.modelKind(i) === 'status')) return this.atEnd();
    const p = this.t.model[this.t.events.a[this.cursor - 1]]?.payload as { to?: string; stage?: string } | undefined;
    this.stop('step', `Next stage: ${p?.stage ?? '?'} (${p?.to ?? '?'})`);
  }

  async nextIteration(): Promise<void> {
    if (!this.moveTo((i) => this.modelKind(i) === 'sync')) return this.atEnd();
    this.stop('step', 'Next bitmap sync');
  }

  async goToTime(time_ns: number): Promise<void> {
    const e = this.t.events;
    let i = 0;
    while (i < e.count && e.time[i] < time_ns) i++;
    this.cursor = i;
    this.events.emit('invalidated');
    this.stop('goto', `Went to t=${formatNs(this.timeAt(i))}`);
  }

  async gotoTargets(): Promise<GotoTarget[]> {
    return [];
  }

  async goto(): Promise<void> {
    throw new Error('a real QEMU trace has no statement listing to jump in; use "go to time"');
  }

  async restartFrame(): Promise<void> {
    throw new Error('a real QEMU trace records no frame entries beyond its trace events; use step back');
  }

  cancel(): void {}

  terminate(): void {
    this.events.emit('ended', 0);
  }

  /** Threads as they stand at the cursor: last sampled state, bracketed slices, last trace point. */
  private now(): ThreadNow[] {
    const e = this.t.events;
    const out: ThreadNow[] = this.t.threads.map(() => ({ state: 'not sampled', stack: [], last: '', last_ns: 0 }));
    for (let i = 0; i < this.cursor; i++) {
      const th = out[e.a[i]];
      switch (e.kind[i]) {
        case EK.THREAD_STATE: if (th) th.state = THREAD_STATE_NAMES[e.b[i] % 8] ?? 'unknown'; break;
        case EK.FRAME_PUSH: th?.stack.push(this.t.functions[e.b[i]] ?? '?'); break;
        case EK.FRAME_POP: th?.stack.pop(); break;
        case EK.QEMU_TRACE: if (th) { th.last = this.t.functions[e.b[i]] ?? '?'; th.last_ns = e.time[i]; } break;
      }
    }
    return out;
  }

  threads(): ThreadInfo[] {
    const now = this.now();
    return this.t.threads.map((th, i) => ({ tid: i, name: `${th.name} (${now[i].state}, sampled)` }));
  }

  stack(tid: number): FrameInfo[] {
    const th = this.now()[tid];
    if (th === undefined) return [];
    const frames: FrameInfo[] = [];
    let d = 0;
    if (th.last !== '') frames.push({ id: tid * 1000 + 999, name: `${th.last} (last trace point, t=${formatNs(th.last_ns)})`, line: 0, sourceRef: 0, sourceName: '', canRestart: false, hint: 'subtle' });
    for (let i = th.stack.length - 1; i >= 0; i--) frames.push({ id: tid * 1000 + ++d, name: th.stack[i], line: 0, sourceRef: 0, sourceName: '', canRestart: false });
    frames.push({ id: tid * 1000 + 998, name: '(stack beyond trace events not recorded)', line: 0, sourceRef: 0, sourceName: '', canRestart: false, hint: 'label' });
    return frames;
  }

  scopes(): ScopeInfo[] {
    return [
      { name: 'Migration (last query-migrate sample)', ref: this.vars.add(() => this.migrationVars()), expensive: false },
      { name: 'Recording', ref: this.vars.add(() => this.recordingVars()), expensive: false },
    ];
  }

  private migrationVars(): VarNode[] {
    for (let i = this.cursor - 1; i >= 0; i--) {
      if (this.modelKind(i) === 'stats') {
        const p = this.t.model[this.t.events.a[i]].payload as Record<string, unknown>;
        return [{ name: 'sampled at', value: formatNs(this.t.events.time[i]) }, ...Object.keys(p).map((key) => plainNode(key, p[key]))];
      }
    }
    return [{ name: 'status', value: 'no query-migrate sample yet' }];
  }

  private recordingVars(): VarNode[] {
    const h = this.t.header;
    return [
      { name: 'event', value: `${this.cursor} of ${this.n}` },
      { name: 'time', value: formatNs(this.timeAt(this.cursor)) },
      { name: 'source', value: `real QEMU ${h.qemu_version || '(version not recorded)'}${h.host ? ` on ${h.host}` : ''}` },
      { name: 'what it cannot show', value: QEMU_TRACE_LIMITS },
    ];
  }

  variables(ref: number): VarNode[] {
    return this.vars.get(ref) ?? [];
  }

  varRef(children: () => VarNode[]): number {
    return this.vars.add(children);
  }

  source(): null {
    return null;
  }

  exceptionInfo(): ExceptionDetails | null {
    return null;
  }

  lockTable(): LockRow[] {
    return [];
  }

  evaluate(expression: string): string {
    const v = this.migrationVars().find((x) => x.name === expression.trim());
    if (v === undefined) throw new Error(`"${expression}" is not in the last query-migrate sample`);
    return v.value;
  }

  dataBreakpointInfo(): { dataId: null; description: string } {
    return { dataId: null, description: 'a recorded real migration has no data breakpoints' };
  }

  setFunctionBreakpoints(specs: FunctionBreakpointSpec[]): BreakpointResult[] {
    this.fnBreaks = new Set();
    return specs.map((s, i) => {
      const known = this.t.functions.includes(s.name);
      if (known) this.fnBreaks.add(s.name);
      return { id: i + 1, verified: known, message: known ? undefined : `no trace point or slice "${s.name}" in this recording; it has: ${[...new Set(this.t.functions)].slice(0, 12).join(', ')}` };
    });
  }

  setLineBreakpoints(_ref: number, specs: LineBreakpointSpec[]): BreakpointResult[] {
    return specs.map((s, i) => ({ id: 1000 + i, verified: false, line: s.line, message: 'a recorded real migration has no statement listing' }));
  }

  setDataBreakpoints(specs: DataBreakpointSpec[]): BreakpointResult[] {
    return specs.map((_s, i) => ({ id: 2000 + i, verified: false, message: 'a recorded real migration has no data breakpoints' }));
  }

  setExceptionFilters(specs: ExceptionFilterSpec[]): BreakpointResult[] {
    return specs.map((_s, i) => ({ id: 3000 + i, verified: true }));
  }
}
